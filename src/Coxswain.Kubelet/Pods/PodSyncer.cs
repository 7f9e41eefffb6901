using Coxswain.Client.Events;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Pods;

/// <summary>
/// One step of upstream's SyncPod (kuberuntime_manager.go computePodActions + the steps after it): bring the
/// runtime toward the pod spec. A sandbox (recreated if it died), init containers one at a time, then the app
/// containers, restarted as restartPolicy says with crash-loop back-off, and killed when a liveness probe fails.
/// </summary>
internal sealed partial class PodSyncer(CriClient cri, KubeletSettings settings, IPodResources resources, IEventRecorder events,
    ImagePuller images, ProbeManager probes, ILogger logger)
{
    private readonly Backoff _crashLoop = Backoff.CrashLoop();

    /// <summary>Runs the pod a step further; returns when to look again even if nothing changes (back-off expiry).</summary>
    public async Task<TimeSpan?> SyncAsync(V1Pod pod, PodRecord record, PodRuntimeState state, CancellationToken ct)
    {
        var policy = pod.Spec.RestartPolicy ?? "Always";
        if (!state.SandboxReady)
        {
            if (state.Sandbox != null)
            {
                await KillContainersAsync(pod, state, gracePeriod: 0, ct);
                await StopSandboxesAsync(state, ct);
            }
            // With restartPolicy Never a pod whose sandbox died after its containers ran is over (upstream).
            if (policy == "Never" && state.Containers.Any())
            {
                record.FailedPhase = true;
                return null;
            }
            var created = await CreateSandboxAsync(pod, record, state, ct);
            if (created is null)
            {
                return TimeSpan.FromSeconds(5);
            }
            state = state.WithNewSandbox(created);
        }
        var sandboxId = state.Sandbox!.Id;
        var sandboxConfig = SandboxConfigs.Build(pod, state.Sandbox.Metadata.Attempt, settings);
        TimeSpan? requeue = null;
        void Soonest(TimeSpan? t)
        {
            if (t is { } v && (requeue is null || v < requeue))
            {
                requeue = v;
            }
        }

        // Init containers run one at a time, each to success, before any app container; a sidecar only has to start.
        var initialized = Sidecars.AppContainersCreated(pod.Spec, state, sandboxId);
        var appDone = AppContainersDone(pod, state, sandboxId, policy);
        foreach (var init in pod.Spec.InitContainers ?? [])
        {
            if (init.IsSidecar())
            {
                // A finished pod's sidecars are stopped below, not restarted (upstream's KillPod drops them).
                if (appDone)
                {
                    continue;
                }
                var (started, next) = await SyncSidecarAsync(pod, init, record, state, sandboxId, sandboxConfig, ct);
                Soonest(next);
                if (!started && !initialized)
                {
                    return requeue;
                }
                continue;
            }
            if (initialized)
            {
                continue;
            }
            var current = state.Containers.FirstOrDefault(c => c.Name == init.Name && c.SandboxId == sandboxId);
            if (current is { Exited: true, Status.ExitCode: 0 })
            {
                continue;
            }
            if (current is { Exited: false })
            {
                return requeue; // still running (or created): wait for it
            }
            if (current is { Exited: true } && policy == "Never")
            {
                return null; // failed init container with restartPolicy Never: the pod fails (getPhase)
            }
            Soonest(await StartOrBackOffAsync(pod, init, record, state, sandboxId, sandboxConfig, current, ct));
            return requeue;
        }

        foreach (var container in pod.Spec.Containers)
        {
            var current = state.Latest(container.Name);
            if (current is { Running: true } && current.SandboxId == sandboxId)
            {
                record.ClearWaiting(container.Name);
                if (probes.MustRestart(current.Id))
                {
                    await KillContainerAsync(pod, container, current, pod.Spec.TerminationGracePeriodSeconds ?? 30, ct);
                    Soonest(TimeSpan.Zero);
                }
                continue;
            }
            if (current is { State: ContainerState.ContainerCreated } && current.SandboxId == sandboxId)
            {
                // Created but never started (the agent stopped in between): replace it.
                await cri.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = current.Id }, cancellationToken: ct);
                current = state.Previous(container.Name);
            }
            if (current is { Exited: true } || current is { Running: true })
            {
                var exitCode = current.Status.ExitCode;
                var restart = policy == "Always" || policy == "OnFailure" && exitCode != 0;
                if (!restart)
                {
                    record.ClearWaiting(container.Name);
                    continue;
                }
            }
            Soonest(await StartOrBackOffAsync(pod, container, record, state, sandboxId, sandboxConfig, current, ct));
        }
        if (appDone)
        {
            await KillSidecarsAsync(pod, state, pod.Spec.TerminationGracePeriodSeconds ?? 30, DateTime.UtcNow, ct);
        }
        return requeue;
    }

    /// <summary>Every app container has exited in this sandbox and restartPolicy restarts none of them.</summary>
    private static bool AppContainersDone(V1Pod pod, PodRuntimeState state, string sandboxId, string policy) =>
        policy != "Always" && pod.Spec.Containers.All(c => state.Latest(c.Name) is { Exited: true } last && last.SandboxId == sandboxId
            && !(policy == "OnFailure" && last.Status.ExitCode != 0));

    /// <summary>
    /// Keeps a sidecar running: restarted (with crash-loop back-off) whenever it exits or fails liveness. Returns
    /// whether it counts as started, which lets the next init container go.
    /// </summary>
    private async Task<(bool Started, TimeSpan? Next)> SyncSidecarAsync(V1Pod pod, V1Container sidecar, PodRecord record,
        PodRuntimeState state, string sandboxId, PodSandboxConfig sandboxConfig, CancellationToken ct)
    {
        var current = state.Latest(sidecar.Name);
        if (current is { Running: true } && current.SandboxId == sandboxId)
        {
            record.ClearWaiting(sidecar.Name);
            if (probes.MustRestart(current.Id))
            {
                await KillContainerAsync(pod, sidecar, current, pod.Spec.TerminationGracePeriodSeconds ?? 30, ct);
                return (false, TimeSpan.Zero);
            }
            return (probes.Started(current.Id), null);
        }
        if (current is { State: ContainerState.ContainerCreated } && current.SandboxId == sandboxId)
        {
            await cri.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = current.Id }, cancellationToken: ct);
            current = state.Previous(sidecar.Name);
        }
        var next = await StartOrBackOffAsync(pod, sidecar, record, state, sandboxId, sandboxConfig, current, ct);
        // Without a startup probe a sidecar has started once it runs; with one, a later sync sees the probe's verdict.
        return (next is null && sidecar.StartupProbe is null, next);
    }

    /// <summary>Starts the container unless its last run ended within the crash-loop back-off.</summary>
    private async Task<TimeSpan?> StartOrBackOffAsync(V1Pod pod, V1Container container, PodRecord record, PodRuntimeState state,
        string sandboxId, PodSandboxConfig sandboxConfig, RuntimeContainer? previous, CancellationToken ct)
    {
        var key = $"{pod.Metadata.Uid}/{container.Name}";
        if (previous is { Exited: true })
        {
            var left = _crashLoop.Remaining(key, previous.FinishedAt);
            if (left > TimeSpan.Zero)
            {
                var message = $"back-off {_crashLoop.Current(key).TotalSeconds:0}s restarting failed container={container.Name} pod={pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})";
                if (record.WaitingFor(container.Name)?.Reason != "CrashLoopBackOff")
                {
                    events.Event(pod, EventTypes.Warning, "BackOff", $"Back-off restarting failed container {container.Name} in pod {pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})");
                }
                record.SetWaiting(container.Name, new Waiting("CrashLoopBackOff", message));
                return left;
            }
            _crashLoop.Next(key, DateTimeOffset.UtcNow);
        }
        var attempt = previous is null ? 0u : (uint)(previous.RestartCount + 1);
        return await StartContainerAsync(pod, container, record, state, sandboxId, sandboxConfig, attempt, ct);
    }

    private async Task<TimeSpan?> StartContainerAsync(V1Pod pod, V1Container container, PodRecord record, PodRuntimeState state,
        string sandboxId, PodSandboxConfig sandboxConfig, uint attempt, CancellationToken ct)
    {
        var (image, reason, message) = await images.EnsureAsync(pod, container, sandboxConfig, ct);
        if (image is null)
        {
            record.SetWaiting(container.Name, new Waiting(reason!, message));
            return TimeSpan.FromSeconds(reason == "ImagePullBackOff" ? 5 : 1);
        }
        IReadOnlyList<KeyValue> env;
        IReadOnlyList<Mount> mounts;
        try
        {
            env = await resources.EnvAsync(pod, container, state.PodIp, settings.NodeIp, ct);
            mounts = resources.Mounts(pod, container, env);
        }
        catch (PodResourceException e)
        {
            events.Event(pod, EventTypes.Warning, "Failed", "Error: " + e.Message);
            record.SetWaiting(container.Name, new Waiting("CreateContainerConfigError", e.Message));
            return TimeSpan.FromSeconds(5);
        }
        var config = ContainerConfigs.Build(pod, container, attempt, container.Image!, env, mounts, settings);
        if (resources.TerminationMessageFile(pod.Metadata.Uid, container.Name) is { } file)
        {
            config.Annotations[CriLabels.TerminationMessageFile] = file;
        }
        string id;
        try
        {
            id = (await cri.Runtime.CreateContainerAsync(new CreateContainerRequest
            {
                PodSandboxId = sandboxId,
                Config = config,
                SandboxConfig = sandboxConfig, // mandatory: containerd 1.6 crashes without it (G2)
            }, cancellationToken: ct)).ContainerId;
        }
        catch (Grpc.Core.RpcException e) when (!ct.IsCancellationRequested)
        {
            events.Event(pod, EventTypes.Warning, "Failed", "Error: " + e.Status.Detail);
            record.SetWaiting(container.Name, new Waiting("CreateContainerError", e.Status.Detail));
            return TimeSpan.FromSeconds(5);
        }
        events.Event(pod, EventTypes.Normal, "Created", $"Created container: {container.Name}");
        try
        {
            await cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id }, cancellationToken: ct);
        }
        catch (Grpc.Core.RpcException e) when (!ct.IsCancellationRequested)
        {
            // The container exists, exited with a reason (e.g. "exec: not found"): the next sync shows it
            // terminated and restarts it under back-off.
            events.Event(pod, EventTypes.Warning, "Failed", "Error: " + e.Status.Detail);
            record.ClearWaiting(container.Name);
            return TimeSpan.FromSeconds(1);
        }
        record.ClearWaiting(container.Name);
        events.Event(pod, EventTypes.Normal, "Started", $"Started container {container.Name}");
        if (container.Lifecycle?.PostStart is { } postStart)
        {
            var error = await LifecycleHooks.RunAsync(cri, postStart, id, container, state.PodIp, pod.Spec.TerminationGracePeriodSeconds ?? 30, ct);
            if (error != null)
            {
                events.Event(pod, EventTypes.Warning, "FailedPostStartHook", error);
                await StopContainerAsync(id, 0, ct);
            }
        }
        return null;
    }

    /// <summary>Prepares the volumes and runs a new sandbox; its status, or null when that failed (events and waiting reasons say why).</summary>
    private async Task<PodSandboxStatus?> CreateSandboxAsync(V1Pod pod, PodRecord record, PodRuntimeState state, CancellationToken ct)
    {
        void WaitAll(Waiting waiting)
        {
            foreach (var c in SandboxConfigs.AllContainers(pod.Spec))
            {
                record.SetWaiting(c.Name, waiting);
            }
        }
        try
        {
            await resources.PrepareAsync(pod, ct);
        }
        catch (PodResourceException e)
        {
            events.Event(pod, EventTypes.Warning, "FailedMount", e.Message);
            WaitAll(new Waiting("ContainerCreating"));
            return null;
        }
        try
        {
            PodCgroups.Configure(pod, settings.CgroupRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The containers' own limits still hold; only the pod-wide cap is missing.
            LogPodCgroupFailed(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, e.Message);
        }
        var attempt = state.Sandbox is { } old ? old.Metadata.Attempt + 1 : 0u;
        var config = SandboxConfigs.Build(pod, attempt, settings);
        try
        {
            var id = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, cancellationToken: ct)).PodSandboxId;
            return (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id }, cancellationToken: ct)).Status;
        }
        catch (Grpc.Core.RpcException e) when (!ct.IsCancellationRequested)
        {
            events.Event(pod, EventTypes.Warning, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.Status.Detail);
            WaitAll(new Waiting("ContainerCreating"));
            LogSandboxFailed(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, e.Status.Detail);
            // A sandbox that failed at the CNI stage stays behind NOTREADY (G12): clear it for the next attempt.
            var leftovers = await PodRuntimeState.ReadAsync(cri, pod.Metadata.Uid, ct);
            await StopSandboxesAsync(leftovers, ct, remove: true);
            return null;
        }
    }

    /// <summary>Stops every running container of the pod: preStop hook, then SIGTERM with the grace period, then SIGKILL.</summary>
    /// <remarks>The sidecars go last, one by one in reverse order (upstream's termination ordering), so they keep serving the app containers while those stop.</remarks>
    public async Task KillContainersAsync(V1Pod? pod, PodRuntimeState state, long gracePeriod, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var sidecars = pod is null ? [] : Sidecars.Of(pod.Spec).Select(c => c.Name).ToHashSet();
        var running = state.Containers.Where(c => (c.Running || c.State == ContainerState.ContainerCreated) && !sidecars.Contains(c.Name));
        await Task.WhenAll(running.Select(c => KillContainerAsync(pod, SpecOf(pod, c.Name), c, gracePeriod, ct)));
        if (pod != null)
        {
            await KillSidecarsAsync(pod, state, gracePeriod, started, ct);
        }
    }

    private async Task KillSidecarsAsync(V1Pod pod, PodRuntimeState state, long gracePeriod, DateTime started, CancellationToken ct)
    {
        foreach (var sidecar in Sidecars.Of(pod.Spec).Reverse())
        {
            foreach (var c in state.Containers.Where(c => c.Name == sidecar.Name && (c.Running || c.State == ContainerState.ContainerCreated)))
            {
                // What is left of the pod's grace period, and at least upstream's 2 s.
                var left = gracePeriod == 0 ? 0 : Math.Max(2, gracePeriod - (long)(DateTime.UtcNow - started).TotalSeconds);
                await KillContainerAsync(pod, sidecar, c, left, ct);
            }
        }
    }

    private static V1Container? SpecOf(V1Pod? pod, string name) =>
        pod?.Spec.Containers.Concat(pod.Spec.InitContainers ?? []).FirstOrDefault(x => x.Name == name);

    private async Task KillContainerAsync(V1Pod? pod, V1Container? spec, RuntimeContainer container, long gracePeriod, CancellationToken ct)
    {
        if (pod != null)
        {
            events.Event(pod, EventTypes.Normal, "Killing", $"Stopping container {container.Name}");
        }
        var started = DateTime.UtcNow;
        var preStop = spec?.Lifecycle?.PreStop
            ?? (container.Status.Annotations.TryGetValue(CriLabels.PreStopHandler, out var json) ? k8s.KubernetesJson.Deserialize<V1LifecycleHandler>(json) : null);
        if (preStop != null && container.Running && gracePeriod > 0)
        {
            var error = await LifecycleHooks.RunAsync(cri, preStop, container.Id, spec, null, gracePeriod, ct);
            if (error != null && pod != null)
            {
                events.Event(pod, EventTypes.Warning, "FailedPreStopHook", error);
            }
        }
        // The hook's time counts against the grace period; upstream gives at least 2 s more after it.
        var left = Math.Max(gracePeriod == 0 ? 0 : 2, gracePeriod - (long)(DateTime.UtcNow - started).TotalSeconds);
        await StopContainerAsync(container.Id, left, ct);
    }

    private async Task StopContainerAsync(string id, long timeoutSeconds, CancellationToken ct)
    {
        try
        {
            await cri.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = id, Timeout = timeoutSeconds }, cancellationToken: ct);
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
        }
    }

    public async Task StopSandboxesAsync(PodRuntimeState state, CancellationToken ct, bool remove = false)
    {
        foreach (var sandbox in state.Sandboxes)
        {
            try
            {
                if (sandbox.State == PodSandboxState.SandboxReady || remove)
                {
                    await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: ct);
                }
                if (remove)
                {
                    await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: ct);
                }
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
            }
        }
    }

    /// <summary>Removes all of the pod from the node: containers, sandboxes, volumes, its cgroups.</summary>
    public async Task CleanupAsync(string podUid, PodRuntimeState state, CancellationToken ct)
    {
        foreach (var c in state.Containers)
        {
            try
            {
                await cri.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = c.Id }, cancellationToken: ct);
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
            }
        }
        await StopSandboxesAsync(state, ct, remove: true);
        await resources.TeardownAsync(podUid, ct);
        PodCgroups.Remove(settings.CgroupRoot, podUid);
        probes.RemovePod(podUid);
        images.Forget(podUid);
        _crashLoop.ForgetPrefix(podUid + "/");
    }

    /// <summary>Keeps the newest exited container of each name (for lastState and logs --previous) and removes older ones, as upstream's container GC.</summary>
    public async Task PruneExitedAsync(PodRuntimeState state, CancellationToken ct)
    {
        foreach (var group in state.Containers.Where(c => c.Exited).GroupBy(c => c.Name))
        {
            foreach (var old in group.Skip(state.Latest(group.Key)!.Exited ? 2 : 1))
            {
                try
                {
                    await cri.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = old.Id }, cancellationToken: ct);
                }
                catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
                {
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "pod {Namespace}/{Name}: pod cgroup limits not set: {Error}")]
    private static partial void LogPodCgroupFailed(ILogger logger, string @namespace, string name, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pod {Namespace}/{Name}: sandbox failed: {Error}")]
    private static partial void LogSandboxFailed(ILogger logger, string @namespace, string name, string error);
}
