using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;

namespace Coxswain.Kubelet.Pods;

/// <summary>One container of a pod as the runtime sees it, with the restart count the kubelet stamped on it.</summary>
internal sealed record RuntimeContainer(ContainerStatus Status, string SandboxId)
{
    public string Id => Status.Id;
    public string Name => Status.Metadata.Name;
    public uint Attempt => Status.Metadata.Attempt;
    public ContainerState State => Status.State;
    public bool Running => Status.State == ContainerState.ContainerRunning;
    public bool Exited => Status.State == ContainerState.ContainerExited;
    public int RestartCount => Status.Annotations.TryGetValue(CriLabels.RestartCount, out var v) && int.TryParse(v, out var n) ? n : 0;
    public DateTimeOffset FinishedAt => DateTimeOffset.FromUnixTimeMilliseconds(Status.FinishedAt / 1_000_000);
    public DateTimeOffset StartedAt => DateTimeOffset.FromUnixTimeMilliseconds(Status.StartedAt / 1_000_000);
}

/// <summary>
/// What the runtime holds for one pod (by uid): its sandboxes and containers, newest first. Read from the CRI on
/// every sync, so a restarted agent sees exactly what it left (re-adoption needs no state of its own).
/// </summary>
internal sealed class PodRuntimeState
{
    public required IReadOnlyList<PodSandbox> Sandboxes { get; init; }
    public required IReadOnlyList<RuntimeContainer> Containers { get; init; }
    public PodSandboxStatus? SandboxStatus { get; init; }

    public PodSandbox? Sandbox => Sandboxes.Count > 0 ? Sandboxes[0] : null;
    public bool SandboxReady => Sandbox?.State == PodSandboxState.SandboxReady;
    public string? PodIp => SandboxStatus?.Network?.Ip is { Length: > 0 } ip ? ip : null;
    public bool IsEmpty => Sandboxes.Count == 0 && Containers.Count == 0;

    /// <summary>The newest container of that name in the current sandbox (older sandboxes' containers are history).</summary>
    public RuntimeContainer? Latest(string name) => Containers.FirstOrDefault(c => c.Name == name);

    /// <summary>The container before the newest one: what <c>lastState</c> and <c>logs --previous</c> show.</summary>
    public RuntimeContainer? Previous(string name) => Containers.Where(c => c.Name == name).Skip(1).FirstOrDefault();

    /// <summary>This state with a sandbox just created in front: saves relisting the runtime on the pod's startup path.</summary>
    public PodRuntimeState WithNewSandbox(PodSandboxStatus status)
    {
        var sandbox = new PodSandbox { Id = status.Id, Metadata = status.Metadata, State = status.State, CreatedAt = status.CreatedAt };
        sandbox.Labels.Add(status.Labels);
        sandbox.Annotations.Add(status.Annotations);
        return new PodRuntimeState { Sandboxes = [sandbox, .. Sandboxes], Containers = Containers, SandboxStatus = status };
    }

    public static async Task<PodRuntimeState> ReadAsync(CriClient cri, string podUid, CancellationToken ct)
    {
        var sandboxes = await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest
        {
            Filter = new PodSandboxFilter { LabelSelector = { [CriLabels.PodUid] = podUid } },
        }, cancellationToken: ct);
        var containers = await cri.Runtime.ListContainersAsync(new ListContainersRequest
        {
            Filter = new ContainerFilter { LabelSelector = { [CriLabels.PodUid] = podUid } },
        }, cancellationToken: ct);
        var statuses = new List<RuntimeContainer>(containers.Containers.Count);
        foreach (var c in containers.Containers)
        {
            try
            {
                var status = await cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = c.Id }, cancellationToken: ct);
                statuses.Add(new RuntimeContainer(status.Status, c.PodSandboxId));
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                // Removed between the list and the status call.
            }
        }
        var ordered = sandboxes.Items.OrderByDescending(s => s.CreatedAt).ToList();
        PodSandboxStatus? sandboxStatus = null;
        if (ordered.Count > 0)
        {
            try
            {
                sandboxStatus = (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = ordered[0].Id }, cancellationToken: ct)).Status;
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
            }
        }
        return new PodRuntimeState
        {
            Sandboxes = ordered,
            // Newest first by creation time; ties (same second) by attempt.
            Containers = statuses.OrderByDescending(c => c.Status.CreatedAt).ThenByDescending(c => c.Attempt).ToList(),
            SandboxStatus = sandboxStatus,
        };
    }
}
