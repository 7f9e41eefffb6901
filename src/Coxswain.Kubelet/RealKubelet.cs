using Coxswain.Client.Events;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Images;
using Coxswain.Kubelet.Node;
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
    /// <summary>HOST:PORT of the cluster's registry, mirrored for docker.io and registry.k8s.io; null: pulls go to the internet.</summary>
    public string? Registry { get; init; }
}

/// <summary>
/// A kubelet on a real machine: containerd (its own child, or an existing one), the Node object with its lease
/// and pod network config, the pod workers that drive containerd over CRI, and the streaming server for logs,
/// exec and port-forward.
/// </summary>
public sealed partial class RealKubelet(Kubernetes client, RealKubeletOptions options, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("kubelet");

    public async Task RunAsync(CancellationToken ct)
    {
        var settings = options.Settings;
        var paths = settings.Paths;
        Directory.CreateDirectory(paths.RegistryHostsDir);
        if (options.Registry is { } registry)
        {
            // Before containerd's first pull: hosts.toml is read on every pull.
            RegistryHosts.Write(paths.RegistryHostsDir, registry);
        }
        ContainerdProcess? containerd = null;
        var socket = options.ContainerRuntimeEndpoint?.Replace("unix://", "", StringComparison.Ordinal);
        if (socket is null)
        {
            containerd = new ContainerdProcess(paths, loggers.CreateLogger("containerd"));
            await containerd.StartAsync(ct);
            socket = paths.ContainerdSocket;
        }
        try
        {
            using var cri = CriClient.Connect(socket);
            await using var events = new EventRecorder(client, "kubelet", settings.NodeName, _logger);
            var machine = new LinuxMachineReader(paths.DataDir);
            settings = settings with { NodeMemoryBytes = machine.Read().MemoryBytes };
            var node = new NodeAgent(client, new CriNodeRuntime(cri), machine, new NodeAgentOptions
            {
                NodeName = settings.NodeName,
                NodeIp = settings.NodeIp,
                CniConfDir = paths.CniConfDir,
                CniIpamDir = paths.CniIpamDir,
                KubeletPort = settings.KubeletPort,
                Eviction = settings.EvictionHard,
                MasqueradePodCidr = true,
            }, loggers.CreateLogger("node"), events);
            if (containerd != null)
            {
                containerd.Restarted += node.RequestStatusUpdate;
            }
            var objects = new Env.InformerServiceSource(new Env.ApiPodObjectSource(client), client);
            var servicesTask = objects.RunAsync(ct);
            var resources = Volumes.NodePodVolumesAndEnv.Create(objects, settings, events);
            await using var workers = new PodWorkers(client, cri, settings, resources, events, loggers.CreateLogger("pods"));
            await using var streaming = await StartStreamingAsync(cri, settings, workers, ct);
            LogStarted(_logger, settings.NodeName, socket);
            var nodeTask = node.RunAsync(ct);
            var sandboxImage = EnsureSandboxImageAsync(cri, ct);
            await node.Registered.WaitAsync(ct);
            var logRotation = new ContainerLogRotation(cri, settings, loggers.CreateLogger("logs")).RunAsync(ct);
            var images = new Images.ImageGarbageCollector(cri, settings, events, loggers.CreateLogger("images"));
            var eviction = new EvictionManager(settings.EvictionHard, machine, cri, workers, images, events, loggers.CreateLogger("eviction"));
            workers.Admit = eviction.Admit;
            await Task.WhenAll(nodeTask, workers.RunAsync(ct), sandboxImage, servicesTask, logRotation, images.RunAsync(ct), eviction.RunAsync(ct));
        }
        finally
        {
            if (containerd != null)
            {
                await containerd.DisposeAsync();
            }
        }
    }

    /// <summary>Pulls the pause image ahead of the first pod so sandbox creation does not wait for it; retried until it works.</summary>
    private async Task EnsureSandboxImageAsync(CriClient cri, CancellationToken ct)
    {
        var image = new ImageSpec { Image = ContainerdConfig.DefaultSandboxImage };
        for (var delay = TimeSpan.FromSeconds(1); !ct.IsCancellationRequested; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks)))
        {
            try
            {
                if ((await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = image }, cancellationToken: ct)).Image == null)
                {
                    await cri.Images.PullImageAsync(new PullImageRequest { Image = image }, cancellationToken: ct);
                }
                return;
            }
            catch (Grpc.Core.RpcException e)
            {
                LogSandboxImage(_logger, image.Image, e.Status.Detail);
                await Task.Delay(delay, ct);
            }
        }
    }

    /// <summary>
    /// The HTTPS server for logs, exec, attach and port-forward. Without it pods still run, so a port
    /// already taken is logged rather than fatal.
    /// </summary>
    private async Task<Streaming.KubeletServer?> StartStreamingAsync(CriClient cri, KubeletSettings settings, PodWorkers workers, CancellationToken ct)
    {
        var runtime = new Streaming.CriStreaming(cri.Runtime, workers.Find);
        try
        {
            return await Streaming.KubeletServer.StartAsync(
                new Streaming.KubeletServerOptions { Port = settings.KubeletPort, CertificateNames = [settings.NodeName, settings.NodeIp] },
                runtime, runtime, loggers, ct);
        }
        catch (IOException e)
        {
            LogStreamingUnavailable(_logger, settings.KubeletPort, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "kubelet streaming server (logs, exec, port-forward) not started on port {Port}: {Error}")]
    private static partial void LogStreamingUnavailable(ILogger logger, int port, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "kubelet for node {Node} running pods through CRI on {Socket}")]
    private static partial void LogStarted(ILogger logger, string node, string socket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pulling the sandbox image {Image} failed (retrying): {Error}")]
    private static partial void LogSandboxImage(ILogger logger, string image, string error);
}
