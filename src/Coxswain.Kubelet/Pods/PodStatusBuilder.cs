using Coxswain.Kubelet.Cri.V1;
using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>Why a container is not running, as the last sync found (ContainerCreating, CrashLoopBackOff, ErrImagePull, ...).</summary>
internal sealed record Waiting(string Reason, string? Message = null);

/// <summary>
/// The pod status upstream's kubelet reports (kubelet_pods.go generateAPIPodStatus and getPhase), computed from
/// the runtime's containers, the probes' results and the reasons the last sync could not start a container.
/// </summary>
internal static class PodStatusBuilder
{
    public static V1PodStatus Build(V1Pod pod, PodRuntimeState state, PodRecord record, IProbeResults probes, string hostIp)
    {
        var spec = pod.Spec;
        var sandboxId = state.SandboxReady ? state.Sandbox!.Id : null;
        var initStatuses = (spec.InitContainers ?? []).Select(c => ContainerStatusOf(pod, c, state, record, probes, sandboxId, init: true)).ToList();
        var sidecarStatuses = initStatuses.Where(s => Sidecars.Of(spec).Any(c => c.Name == s.Name)).ToList();
        var regularInitStatuses = initStatuses.Except(sidecarStatuses).ToList();
        // Once an app container has run, initialization is over (sidecars that restart later do not undo it).
        var appCreated = sandboxId != null && Sidecars.AppContainersCreated(spec, state, sandboxId);
        var pendingInit = regularInitStatuses.Where(s => s.State?.Terminated?.ExitCode != 0)
            .Concat(appCreated ? [] : sidecarStatuses.Where(s => s.Started != true))
            .Select(s => s.Name).ToList();
        var statuses = spec.Containers.Select(c => ContainerStatusOf(pod, c, state, record, probes, sandboxId, init: false, pendingInit.Count == 0)).ToList();
        var phase = Phase(pod, regularInitStatuses, sidecarStatuses, pendingInit.Count > 0, statuses, record);
        var now = DateTime.UtcNow;
        var old = pod.Status;

        // Sidecars count for readiness, listed first (upstream's GenerateContainersReadyCondition).
        var readiness = sidecarStatuses.Concat(statuses).ToList();
        var containersReady = readiness.All(s => s.Ready);
        var ready = containersReady && ReadinessGatesPass(pod);
        var conditions = new List<V1PodCondition>();
        void Add(string type, bool value, string? reason = null, string? message = null)
        {
            var status = value ? "True" : "False";
            var previous = old?.Conditions?.FirstOrDefault(c => c.Type == type);
            conditions.Add(new V1PodCondition
            {
                Type = type,
                Status = status,
                Reason = value ? null : reason,
                Message = value ? null : message,
                LastProbeTime = null,
                LastTransitionTime = previous?.Status == status ? previous.LastTransitionTime : now,
            });
        }
        Add("PodReadyToStartContainers", state.SandboxReady && state.PodIp != null || spec.HostNetwork == true && state.SandboxReady);
        Add("Initialized", pendingInit.Count == 0, "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(" ", pendingInit)}]");
        var unready = readiness.Where(s => !s.Ready).Select(s => s.Name).ToList();
        var terminal = phase is "Succeeded" or "Failed";
        Add("Ready", ready, terminal ? "PodCompleted" : "ContainersNotReady", terminal ? null : $"containers with unready status: [{string.Join(" ", unready)}]");
        Add("ContainersReady", containersReady, terminal ? "PodCompleted" : "ContainersNotReady", terminal ? null : $"containers with unready status: [{string.Join(" ", unready)}]");
        if (record.TerminatedByKubelet)
        {
            // Upstream's eviction manager marks the pods it ends as disrupted by the kubelet.
            var previous = old?.Conditions?.FirstOrDefault(c => c.Type == "DisruptionTarget");
            conditions.Add(new V1PodCondition
            {
                Type = "DisruptionTarget",
                Status = "True",
                Reason = "TerminationByKubelet",
                Message = record.FailedMessage,
                LastTransitionTime = previous?.Status == "True" ? previous.LastTransitionTime : now,
            });
        }
        if (old?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled") is { } scheduled)
        {
            conditions.Add(scheduled);
        }
        // Conditions other components own (readiness gates, DisruptionTarget) stay as they are.
        foreach (var other in old?.Conditions ?? [])
        {
            if (conditions.All(c => c.Type != other.Type))
            {
                conditions.Add(other);
            }
        }

        var podIp = terminal ? null : spec.HostNetwork == true ? hostIp : state.PodIp ?? old?.PodIP;
        return new V1PodStatus
        {
            Phase = phase,
            Reason = record.FailedReason ?? old?.Reason,
            Message = record.FailedMessage ?? old?.Message,
            Conditions = conditions,
            HostIP = hostIp,
            HostIPs = [new V1HostIP { Ip = hostIp }],
            PodIP = podIp,
            PodIPs = podIp is null ? null : [new V1PodIP { Ip = podIp }],
            StartTime = old?.StartTime ?? record.FirstSeen,
            QosClass = old?.QosClass,
            InitContainerStatuses = initStatuses.Count > 0 ? initStatuses : null,
            ContainerStatuses = statuses,
            NominatedNodeName = old?.NominatedNodeName,
        };
    }

    private static bool ReadinessGatesPass(V1Pod pod) =>
        (pod.Spec.ReadinessGates ?? []).All(g => pod.Status?.Conditions?.Any(c => c.Type == g.ConditionType && c.Status == "True") == true);

    private static V1ContainerStatus ContainerStatusOf(V1Pod pod, V1Container container, PodRuntimeState state, PodRecord record,
        IProbeResults probes, string? sandboxId, bool init, bool initDone = true)
    {
        var latest = state.Latest(container.Name);
        var previous = state.Previous(container.Name);
        var status = new V1ContainerStatus
        {
            Name = container.Name,
            Image = container.Image,
            ImageID = "",
            RestartCount = latest?.RestartCount ?? 0,
            Ready = false,
            Started = false,
        };
        if (latest != null)
        {
            status.ContainerID = "containerd://" + latest.Id;
            status.Image = latest.Status.Image?.Image is { Length: > 0 } img && !img.StartsWith("sha256:", StringComparison.Ordinal) ? img : container.Image;
            status.ImageID = latest.Status.ImageRef;
        }
        var waiting = record.WaitingFor(container.Name);
        if (latest is { Running: true } && latest.SandboxId == sandboxId)
        {
            status.State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = latest.StartedAt.UtcDateTime } };
            status.Started = probes.Started(latest.Id);
            status.Ready = (!init || container.IsSidecar()) && status.Started == true && probes.Ready(latest.Id);
        }
        else if (latest is { Exited: true } && waiting == null)
        {
            status.State = new V1ContainerState { Terminated = Terminated(latest) };
        }
        else
        {
            var reason = waiting?.Reason ?? (init || initDone ? "ContainerCreating" : "PodInitializing");
            status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = waiting?.Message } };
        }
        // lastState: the attempt before the one shown, or the exited one waiting to be replaced.
        var last = status.State.Terminated != null ? previous : latest is { Exited: true } ? latest : previous;
        if (last is { Exited: true })
        {
            status.LastState = new V1ContainerState { Terminated = Terminated(last) };
        }
        return status;
    }

    private static V1ContainerStateTerminated Terminated(RuntimeContainer c) => new()
    {
        ExitCode = c.Status.ExitCode,
        Reason = c.Status.Reason is { Length: > 0 } r ? r : c.Status.ExitCode == 0 ? "Completed" : "Error",
        Message = c.Status.Message is { Length: > 0 } m ? m : null,
        StartedAt = c.Status.StartedAt > 0 ? c.StartedAt.UtcDateTime : null,
        FinishedAt = c.Status.FinishedAt > 0 ? c.FinishedAt.UtcDateTime : null,
        ContainerID = "containerd://" + c.Id,
    };

    /// <summary>Upstream's getPhase, including what restartPolicy makes of exited containers.</summary>
    /// <remarks>A running sidecar keeps the pod Running; a stopped one does not count (it is stopped once the app containers are done).</remarks>
    private static string Phase(V1Pod pod, List<V1ContainerStatus> init, List<V1ContainerStatus> sidecars, bool pendingInit,
        List<V1ContainerStatus> containers, PodRecord record)
    {
        if (record.FailedPhase)
        {
            return "Failed";
        }
        var policy = pod.Spec.RestartPolicy ?? "Always";
        if (pendingInit)
        {
            var failedInit = init.Any(s => s.State?.Terminated is { ExitCode: not 0 });
            return failedInit && policy == "Never" ? "Failed" : "Pending";
        }
        var running = sidecars.Count(s => s.State?.Running != null);
        int waiting = 0, stopped = 0, succeeded = 0;
        foreach (var s in containers)
        {
            if (s.State?.Running != null)
            {
                running++;
            }
            else if (s.State?.Terminated is { } t)
            {
                stopped++;
                if (t.ExitCode == 0)
                {
                    succeeded++;
                }
            }
            else if (s.LastState?.Terminated != null && s.State?.Waiting?.Reason is not ("ContainerCreating" or "PodInitializing"))
            {
                // Waiting to be restarted after exiting (e.g. CrashLoopBackOff): it has run.
                stopped++;
                if (s.LastState.Terminated.ExitCode == 0)
                {
                    succeeded++;
                }
                if (policy == "Always" || policy == "OnFailure" && s.LastState.Terminated.ExitCode != 0)
                {
                    running++;
                    stopped--;
                    if (s.LastState.Terminated.ExitCode == 0)
                    {
                        succeeded--;
                    }
                }
            }
            else
            {
                waiting++;
            }
        }
        if (waiting > 0)
        {
            return "Pending";
        }
        if (running > 0)
        {
            return "Running";
        }
        if (stopped == containers.Count)
        {
            if (policy == "Always")
            {
                return "Running";
            }
            return succeeded == stopped ? "Succeeded" : policy == "OnFailure" ? "Running" : "Failed";
        }
        return "Pending";
    }
}
