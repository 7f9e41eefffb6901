using Coxswain.Client.Events;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Pods;
using Coxswain.Kubelet.Runtime;
using k8s;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet;

/// <summary>Options of a real node agent (`cox agent`, or the local agent of `cox server`).</summary>
public sealed record RealKubeletOptions
{
    public required KubeletSettings Settings { get; init; }
    /// <summary>An existing runtime's CRI socket; null starts containerd as a child.</summary>
    public string? ContainerRuntimeEndpoint { get; init; }
}

/// <summary>
/// A kubelet on a real machine: containerd (its own child, or an existing one), the pod workers that drive it
/// over CRI, the Node object with its lease, and the streaming server for logs, exec and port-forward.
/// </summary>
public sealed partial class RealKubelet(Kubernetes client, RealKubeletOptions options, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("kubelet");

    public async Task RunAsync(CancellationToken ct)
    {
        var settings = options.Settings;
        ContainerdProcess? containerd = null;
        var socket = options.ContainerRuntimeEndpoint?.Replace("unix://", "", StringComparison.Ordinal);
        if (socket is null)
        {
            containerd = new ContainerdProcess(settings.Paths, loggers.CreateLogger("containerd"));
            await containerd.StartAsync(ct);
            socket = settings.Paths.ContainerdSocket;
        }
        try
        {
            using var cri = CriClient.Connect(socket);
            await using var events = new EventRecorder(client, "kubelet", settings.NodeName, _logger);
            var resources = new NodePodResources(settings.Paths);
            await using var workers = new PodWorkers(client, cri, settings, resources, events, loggers.CreateLogger("pods"));
            LogStarted(_logger, settings.NodeName, socket);
            await workers.RunAsync(ct);
        }
        finally
        {
            if (containerd != null)
            {
                await containerd.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "kubelet for node {Node} running pods through CRI on {Socket}")]
    private static partial void LogStarted(ILogger logger, string node, string socket);
}
