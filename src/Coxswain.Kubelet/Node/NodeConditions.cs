using k8s.Models;

namespace Coxswain.Kubelet.Node;

/// <summary>
/// The four conditions the kubelet owns, as upstream's nodestatus setters write them: pressure conditions from the
/// eviction thresholds, Ready from the runtime's state. lastTransitionTime moves only when a status flips;
/// lastHeartbeatTime is always now. Ready comes last (upstream keeps it last for old readers).
/// </summary>
internal static class NodeConditions
{
    public const string Ready = "Ready";
    public const string MemoryPressure = "MemoryPressure";
    public const string DiskPressure = "DiskPressure";
    public const string PidPressure = "PIDPressure";

    public static readonly string[] Owned = [MemoryPressure, DiskPressure, PidPressure, Ready];

    /// <summary>
    /// The conditions to post: ours in upstream's order, then any other type found on the Node (a merge patch
    /// replaces the list, so conditions written by others must be carried over).
    /// </summary>
    public static List<V1NodeCondition> Build(IEnumerable<V1NodeCondition>? previous, bool memoryPressure, bool diskPressure, bool pidPressure,
        IReadOnlyList<string> notReadyReasons, DateTime now)
    {
        var old = (previous ?? []).Where(c => c.Type is not null).GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var list = new List<V1NodeCondition>
        {
            Pressure(old.GetValueOrDefault(MemoryPressure), MemoryPressure, memoryPressure, now,
                ("KubeletHasInsufficientMemory", "kubelet has insufficient memory available"),
                ("KubeletHasSufficientMemory", "kubelet has sufficient memory available")),
            Pressure(old.GetValueOrDefault(DiskPressure), DiskPressure, diskPressure, now,
                ("KubeletHasDiskPressure", "kubelet has disk pressure"),
                ("KubeletHasNoDiskPressure", "kubelet has no disk pressure")),
            Pressure(old.GetValueOrDefault(PidPressure), PidPressure, pidPressure, now,
                ("KubeletHasInsufficientPID", "kubelet has insufficient PID available"),
                ("KubeletHasSufficientPID", "kubelet has sufficient PID available")),
            ReadyCondition(old.GetValueOrDefault(Ready), notReadyReasons, now),
        };
        list.AddRange((previous ?? []).Where(c => !Owned.Contains(c.Type)));
        return list;
    }

    private static V1NodeCondition Pressure(V1NodeCondition? old, string type, bool pressure, DateTime now,
        (string Reason, string Message) underPressure, (string Reason, string Message) fine)
    {
        var status = pressure ? "True" : "False";
        var (reason, message) = pressure ? underPressure : fine;
        return new V1NodeCondition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastHeartbeatTime = now,
            LastTransitionTime = old?.Status == status ? old.LastTransitionTime ?? now : now,
        };
    }

    private static V1NodeCondition ReadyCondition(V1NodeCondition? old, IReadOnlyList<string> notReadyReasons, DateTime now)
    {
        var ready = notReadyReasons.Count == 0;
        var status = ready ? "True" : "False";
        return new V1NodeCondition
        {
            Type = Ready,
            Status = status,
            Reason = ready ? "KubeletReady" : "KubeletNotReady",
            Message = ready ? "kubelet is posting ready status" : string.Join(",", notReadyReasons),
            LastHeartbeatTime = now,
            LastTransitionTime = old?.Status == status ? old.LastTransitionTime ?? now : now,
        };
    }

    /// <summary>
    /// Why the node is not ready, in upstream's words (runtime errors, then network errors): a runtime that did not
    /// answer is "down"; a false or missing RuntimeReady/NetworkReady condition is quoted as the runtime reported it.
    /// </summary>
    public static List<string> NotReadyReasons(RuntimeFacts? runtime, bool runtimeDown)
    {
        var reasons = new List<string>();
        if (runtimeDown)
        {
            reasons.Add("container runtime is down");
        }
        else if (runtime is null)
        {
            reasons.Add("container runtime status check may not have completed yet");
        }
        if (runtime is null)
        {
            return reasons;
        }
        var runtimeReady = runtime.Conditions.FirstOrDefault(c => c.Type == RuntimeCondition.RuntimeReady);
        if (!runtimeDown && runtimeReady is not { Status: true })
        {
            reasons.Add($"container runtime not ready: {runtimeReady?.ToString() ?? "<nil>"}");
        }
        var networkReady = runtime.Conditions.FirstOrDefault(c => c.Type == RuntimeCondition.NetworkReady);
        if (networkReady is not { Status: true })
        {
            reasons.Add($"container runtime network not ready: {networkReady?.ToString() ?? "<nil>"}");
        }
        return reasons;
    }

    /// <summary>Status without heartbeat times, to tell a change worth posting from a mere heartbeat.</summary>
    public static string Fingerprint(IEnumerable<V1NodeCondition>? conditions) =>
        string.Join("|", (conditions ?? []).Select(c => $"{c.Type}={c.Status}/{c.Reason}/{c.Message}/{c.LastTransitionTime:O}"));
}
