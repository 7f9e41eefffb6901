using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Pods;
using Grpc.Core;

namespace Coxswain.Kubelet.Streaming;

/// <summary>
/// The streaming server's view of containerd through the CRI: stream URLs from Exec, Attach and
/// PortForward, and containers found by the labels the pod workers put on them (pod namespace,
/// pod name, container name), so it needs no state of its own and survives agent restarts.
/// Which attempt a request means follows the pod's status when <paramref name="podOf"/> knows the pod, as upstream's
/// validateContainerLogStatus decides (a crash-looping container's logs, and its --previous, are its last run);
/// otherwise the current attempt is the container with the highest attempt number and the previous one is next.
/// </summary>
public sealed class CriStreaming(RuntimeService.RuntimeServiceClient runtime, Func<string, string, k8s.Models.V1Pod?>? podOf = null) : IStreamingRuntime, IContainerLocator
{
    public async Task<Uri> GetExecUrlAsync(string containerId, IReadOnlyList<string> command, StreamFlags streams, CancellationToken ct)
    {
        var request = new ExecRequest { ContainerId = containerId, Tty = streams.Tty, Stdin = streams.Stdin, Stdout = streams.Stdout, Stderr = streams.Stderr };
        request.Cmd.AddRange(command);
        var response = await CallAsync(() => runtime.ExecAsync(request, cancellationToken: ct).ResponseAsync);
        return new Uri(response.Url);
    }

    public async Task<Uri> GetAttachUrlAsync(string containerId, StreamFlags streams, CancellationToken ct)
    {
        var request = new AttachRequest { ContainerId = containerId, Tty = streams.Tty, Stdin = streams.Stdin, Stdout = streams.Stdout, Stderr = streams.Stderr };
        var response = await CallAsync(() => runtime.AttachAsync(request, cancellationToken: ct).ResponseAsync);
        return new Uri(response.Url);
    }

    public async Task<Uri> GetPortForwardUrlAsync(string sandboxId, IReadOnlyList<int> ports, CancellationToken ct)
    {
        var request = new PortForwardRequest { PodSandboxId = sandboxId };
        request.Port.AddRange(ports);
        var response = await CallAsync(() => runtime.PortForwardAsync(request, cancellationToken: ct).ResponseAsync);
        return new Uri(response.Url);
    }

    public async Task<LocatedContainer> LocateContainerAsync(string podNamespace, string podName, string container, CancellationToken ct)
    {
        var filter = new ContainerFilter();
        filter.LabelSelector.Add(CriLabels.PodNamespace, podNamespace);
        filter.LabelSelector.Add(CriLabels.PodName, podName);
        filter.LabelSelector.Add(CriLabels.ContainerName, container);
        var listed = await CallAsync(() => runtime.ListContainersAsync(new ListContainersRequest { Filter = filter }, cancellationToken: ct).ResponseAsync);
        var attempts = listed.Containers
            .OrderByDescending(c => c.Metadata?.Attempt ?? 0)
            .ThenByDescending(c => c.CreatedAt)
            .ToList();
        var status = podOf?.Invoke(podNamespace, podName)?.Status is { } podStatus
            ? (podStatus.ContainerStatuses ?? []).Concat(podStatus.InitContainerStatuses ?? []).FirstOrDefault(s => s.Name == container)
            : null;
        if (attempts.Count == 0)
        {
            // Upstream's kubelet answers so while the container is not created yet.
            throw StreamingRequestException.BadRequest($"container \"{container}\" in pod \"{podName}\" is waiting to start: {WaitingReason(status)}");
        }
        var current = attempts[0];
        var previous = attempts.Count > 1 ? attempts[1] : null;
        if (status != null)
        {
            var lastId = RuntimeId(status.LastState?.Terminated?.ContainerID);
            var currentId = status.State?.Running != null || status.State?.Terminated != null ? RuntimeId(status.ContainerID) ?? lastId : lastId;
            current = attempts.FirstOrDefault(c => c.Id == currentId) ?? current;
            previous = lastId is null ? null : attempts.FirstOrDefault(c => c.Id == lastId);
        }
        var logPath = await LogPathAsync(current.Id, ct);
        var previousLog = previous is null ? null : await LogPathAsync(previous.Id, ct);
        return new LocatedContainer(current.Id, current.PodSandboxId, current.State == ContainerState.ContainerRunning, logPath, previousLog);
    }

    private static string? RuntimeId(string? containerId) =>
        containerId is { Length: > 0 } id ? id[(id.IndexOf("://", StringComparison.Ordinal) is var i and >= 0 ? i + 3 : 0)..] : null;

    /// <summary>Upstream's words for the most common reasons a container has not started.</summary>
    private static string WaitingReason(k8s.Models.V1ContainerStatus? status) => status?.State?.Waiting?.Reason switch
    {
        "ErrImagePull" => "image can't be pulled",
        "ImagePullBackOff" => "trying and failing to pull image",
        { Length: > 0 } reason => reason,
        _ => "ContainerCreating",
    };

    public async Task<string> LocateSandboxAsync(string podNamespace, string podName, CancellationToken ct)
    {
        var filter = new PodSandboxFilter();
        filter.LabelSelector.Add(CriLabels.PodNamespace, podNamespace);
        filter.LabelSelector.Add(CriLabels.PodName, podName);
        var listed = await CallAsync(() => runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter }, cancellationToken: ct).ResponseAsync);
        var sandbox = listed.Items
            .OrderBy(s => s.State == PodSandboxState.SandboxReady ? 0 : 1)
            .ThenByDescending(s => s.CreatedAt)
            .FirstOrDefault();
        return sandbox?.Id ?? throw StreamingRequestException.NotFound($"pod \"{podName}\" in namespace \"{podNamespace}\" has no sandbox on this node");
    }

    public async Task<bool> IsRunningAsync(string containerId, CancellationToken ct)
    {
        try
        {
            var status = await runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId }, cancellationToken: ct);
            return status.Status?.State == ContainerState.ContainerRunning;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task<string?> LogPathAsync(string containerId, CancellationToken ct)
    {
        try
        {
            var status = await runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId }, cancellationToken: ct);
            return string.IsNullOrEmpty(status.Status?.LogPath) ? null : status.Status.LogPath;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A CRI failure as upstream's kubelet reports it: 500 with the runtime's message.</summary>
    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            throw new StreamingRequestException(e.StatusCode == StatusCode.NotFound ? 404 : 500, e.Status.Detail);
        }
    }
}
