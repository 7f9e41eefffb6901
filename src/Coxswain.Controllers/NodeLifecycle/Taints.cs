using k8s.Models;

namespace Coxswain.Controllers.NodeLifecycle;

/// <summary>The taints this controller owns and toleration matching (upstream k8s.io/api/core/v1 helpers).</summary>
internal static class Taints
{
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unschedulable = "node.kubernetes.io/unschedulable";

    /// <summary>Upstream's TaintNodesByCondition: a condition that is True keeps scheduling off the node.</summary>
    private static readonly Dictionary<string, string> ConditionTaints = new(StringComparer.Ordinal)
    {
        ["MemoryPressure"] = "node.kubernetes.io/memory-pressure",
        ["DiskPressure"] = "node.kubernetes.io/disk-pressure",
        ["PIDPressure"] = "node.kubernetes.io/pid-pressure",
        ["NetworkUnavailable"] = "node.kubernetes.io/network-unavailable",
    };

    public static bool Owned(V1Taint t) => t.Key is Unreachable or NotReady or Unschedulable || ConditionTaints.ContainsValue(t.Key);

    /// <summary>Every taint this controller keeps on the node: the Ready ones, NoSchedule for true conditions and for a cordon.</summary>
    public static IEnumerable<(string Key, string Effect)> ForNode(V1Node node)
    {
        var conditions = node.Status?.Conditions ?? [];
        foreach (var taint in ForReady(conditions.FirstOrDefault(c => c.Type == "Ready")?.Status))
        {
            yield return taint;
        }
        foreach (var c in conditions)
        {
            if (c.Status == "True" && c.Type is not null && ConditionTaints.TryGetValue(c.Type, out var key))
            {
                yield return (key, "NoSchedule");
            }
        }
        if (node.Spec?.Unschedulable == true)
        {
            yield return (Unschedulable, "NoSchedule");
        }
    }

    /// <summary>The taints a node with this Ready status should carry (null, "True", "False", "Unknown").</summary>
    public static IEnumerable<(string Key, string Effect)> ForReady(string? ready) => ready switch
    {
        "Unknown" => [(Unreachable, "NoExecute"), (Unreachable, "NoSchedule")],
        "False" => [(NotReady, "NoExecute"), (NotReady, "NoSchedule")],
        _ => [],
    };

    public static bool Tolerates(V1Toleration t, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(t.Effect) && t.Effect != taint.Effect)
        {
            return false;
        }
        if (string.IsNullOrEmpty(t.Key))
        {
            return t.OperatorProperty == "Exists";
        }
        if (t.Key != taint.Key)
        {
            return false;
        }
        return t.OperatorProperty == "Exists" || (t.Value ?? "") == (taint.Value ?? "");
    }

    /// <summary>
    /// When a pod must leave a node with these NoExecute taints: now if one is not tolerated, after the smallest
    /// tolerationSeconds (counted from the taint's timeAdded) otherwise, never if all are tolerated forever.
    /// </summary>
    public static DateTime? EvictAt(V1Pod pod, IEnumerable<V1Taint> noExecute, DateTime now)
    {
        DateTime? at = null;
        foreach (var taint in noExecute)
        {
            var matching = pod.Spec.Tolerations?.Where(t => Tolerates(t, taint)).ToList();
            if (matching is null || matching.Count == 0)
            {
                return now;
            }
            if (matching.Any(t => t.TolerationSeconds is null))
            {
                continue;
            }
            var seconds = Math.Max(0, matching.Min(t => t.TolerationSeconds!.Value));
            var deadline = (taint.TimeAdded ?? now) + TimeSpan.FromSeconds(seconds);
            at = at is null || deadline < at ? deadline : at;
        }
        return at;
    }
}
