using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Plugins;

/// <summary>A compiled topologySpreadConstraint (selector merged with matchLabelKeys, policies defaulted).</summary>
internal sealed class SpreadConstraint
{
    public const string HostnameKey = "kubernetes.io/hostname";

    public required int MaxSkew;
    public required string TopologyKey;
    public required LabelSelector Selector;
    public required int MinDomains;
    /// <summary>nodeAffinityPolicy: Honor by default.</summary>
    public required bool HonorNodeAffinity;
    /// <summary>nodeTaintsPolicy: Ignore by default.</summary>
    public required bool HonorNodeTaints;

    public static SpreadConstraint[] For(V1Pod pod, string whenUnsatisfiable)
    {
        var cs = pod.Spec?.TopologySpreadConstraints;
        if (cs == null || cs.Count == 0) return [];
        var list = new List<SpreadConstraint>();
        foreach (var c in cs)
        {
            if (c.WhenUnsatisfiable != whenUnsatisfiable) continue;
            list.Add(new SpreadConstraint
            {
                MaxSkew = c.MaxSkew,
                TopologyKey = c.TopologyKey,
                Selector = LabelSelector.From(c.LabelSelector, AffinityTerm.MatchLabelKeys(pod, c.MatchLabelKeys)),
                MinDomains = c.MinDomains ?? 1,
                HonorNodeAffinity = c.NodeAffinityPolicy != "Ignore",
                HonorNodeTaints = c.NodeTaintsPolicy == "Honor",
            });
        }
        return list.ToArray();
    }

    public bool MatchNodeInclusionPolicies(V1Pod pod, V1Node node)
    {
        if (HonorNodeAffinity && !NodeSelectors.PodMatchesNodeRequirements(pod, node)) return false;
        if (HonorNodeTaints && node.Spec?.Taints is { } taints)
            foreach (var t in taints)
                if (t.Effect is "NoSchedule" or "NoExecute" && !Tolerations.AnyTolerates(pod.Spec?.Tolerations, t)) return false;
        return true;
    }

    public static bool NodeHasAllKeys(IDictionary<string, string>? labels, SpreadConstraint[] cs)
    {
        foreach (var c in cs)
            if (labels == null || !labels.ContainsKey(c.TopologyKey)) return false;
        return true;
    }

    /// <summary>Pods on the node in the incoming pod's namespace, not terminating, matching the selector.</summary>
    public int CountMatching(List<PodInfo> pods, string? ns)
    {
        var n = 0;
        foreach (var p in pods)
        {
            var m = p.Pod.Metadata;
            if (m?.DeletionTimestamp != null || m?.NamespaceProperty != ns) continue;
            if (Selector.Matches(m?.Labels)) n++;
        }
        return n;
    }
}
