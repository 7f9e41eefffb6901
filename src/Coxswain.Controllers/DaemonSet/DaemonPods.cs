using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Controllers.DaemonSet;

/// <summary>
/// Which nodes a DaemonSet's pods belong on, and how its pods are pinned there (upstream
/// pkg/controller/daemon NodeShouldRunDaemonPod and pkg/controller/daemon/util).
/// </summary>
public static class DaemonPods
{
    public const string RevisionHashLabel = "controller-revision-hash";
    public const string TemplateGenerationLabel = "pod-template-generation";
    public const string TemplateGenerationAnnotation = "deprecated.daemonset.template.generation";

    /// <summary>
    /// The tolerations every daemon pod gets (upstream AddOrUpdateDaemonPodTolerations): daemons keep running on
    /// nodes that are not ready, unreachable, under pressure or cordoned; hostNetwork ones also where the pod
    /// network is not up yet.
    /// </summary>
    public static IEnumerable<V1Toleration> AutomaticTolerations(bool hostNetwork)
    {
        yield return Exists("node.kubernetes.io/not-ready", "NoExecute");
        yield return Exists("node.kubernetes.io/unreachable", "NoExecute");
        yield return Exists("node.kubernetes.io/disk-pressure", "NoSchedule");
        yield return Exists("node.kubernetes.io/memory-pressure", "NoSchedule");
        yield return Exists("node.kubernetes.io/pid-pressure", "NoSchedule");
        yield return Exists("node.kubernetes.io/unschedulable", "NoSchedule");
        if (hostNetwork)
        {
            yield return Exists("node.kubernetes.io/network-unavailable", "NoSchedule");
        }
    }

    private static V1Toleration Exists(string key, string effect) => new() { Key = key, OperatorProperty = "Exists", Effect = effect };

    /// <summary>The template's tolerations plus the automatic ones it lacks (upstream AddOrUpdateTolerationInPodSpec).</summary>
    public static List<V1Toleration> WithAutomaticTolerations(V1PodSpec spec)
    {
        var all = spec.Tolerations == null ? new List<V1Toleration>() : [.. spec.Tolerations];
        foreach (var t in AutomaticTolerations(spec.HostNetwork == true))
        {
            if (!all.Any(x => x.Key == t.Key && x.OperatorProperty == t.OperatorProperty && (x.Value ?? "") == "" && x.Effect == t.Effect && x.TolerationSeconds == null))
            {
                // Upstream replaces a toleration of the same key and effect with the automatic one.
                all.RemoveAll(x => x.Key == t.Key && x.Effect == t.Effect);
                all.Add(t);
            }
        }
        return all;
    }

    /// <summary>
    /// (shouldRun, shouldContinueRunning) of upstream NodeShouldRunDaemonPod: the node must match the template's
    /// nodeName, nodeSelector and required node affinity; an untolerated NoSchedule or NoExecute taint keeps a new
    /// pod off the node, and only an untolerated NoExecute taint evicts a running one.
    /// </summary>
    public static (bool ShouldRun, bool ShouldContinueRunning) NodeShouldRun(V1Node node, V1DaemonSet ds)
    {
        var spec = ds.Spec.Template?.Spec;
        if (spec == null)
        {
            return (false, false);
        }
        if (!string.IsNullOrEmpty(spec.NodeName) && spec.NodeName != node.Metadata.Name)
        {
            return (false, false);
        }
        if (!NodeSelectors.PodMatchesNodeRequirements(new V1Pod { Spec = spec }, node))
        {
            return (false, false);
        }
        var tolerations = WithAutomaticTolerations(spec);
        var taints = node.Spec?.Taints;
        if (taints == null || taints.Count == 0)
        {
            return (true, true);
        }
        var untoleratedNoSchedule = false;
        foreach (var taint in taints)
        {
            if (taint.Effect is not ("NoSchedule" or "NoExecute") || Tolerations.AnyTolerates(tolerations, taint))
            {
                continue;
            }
            if (taint.Effect == "NoExecute")
            {
                return (false, false);
            }
            untoleratedNoSchedule = true;
        }
        return (!untoleratedNoSchedule, true);
    }

    /// <summary>
    /// Pins a pod to <paramref name="nodeName"/> the way upstream ReplaceDaemonSetPodNodeNameNodeAffinity does: the
    /// required node affinity becomes the single term metadata.name In [node] (the template's own terms were
    /// already checked against the node), preferred terms stay. The scheduler then binds the pod.
    /// </summary>
    public static V1Affinity PinToNode(V1Affinity? affinity, string nodeName)
    {
        affinity ??= new V1Affinity();
        affinity.NodeAffinity ??= new V1NodeAffinity();
        affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
        {
            NodeSelectorTerms =
            [
                new V1NodeSelectorTerm
                {
                    MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = [nodeName] }],
                },
            ],
        };
        return affinity;
    }

    /// <summary>
    /// The node a daemon pod is for (upstream GetTargetNodeName): spec.nodeName once bound, else the node its
    /// metadata.name affinity pins it to; null when neither says.
    /// </summary>
    public static string? TargetNodeName(V1Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            return pod.Spec.NodeName;
        }
        var terms = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        if (terms == null)
        {
            return null;
        }
        foreach (var term in terms)
        {
            foreach (var f in term.MatchFields ?? [])
            {
                if (f.Key == "metadata.name" && f.OperatorProperty == "In" && f.Values is { Count: 1 })
                {
                    return f.Values[0];
                }
            }
        }
        return null;
    }

    /// <summary>The DaemonSet's template generation annotation, if set and valid (upstream GetTemplateGeneration).</summary>
    public static long? TemplateGeneration(V1DaemonSet ds) =>
        ds.Metadata.Annotations?.TryGetValue(TemplateGenerationAnnotation, out var s) == true && long.TryParse(s, out var g) ? g : null;

    /// <summary>Upstream IsPodUpdated: the pod carries the current revision's hash (or the template generation).</summary>
    public static bool IsUpdated(V1Pod pod, string hash, long? generation)
    {
        var labels = pod.Metadata.Labels;
        var hashMatches = hash.Length > 0 && labels?.TryGetValue(RevisionHashLabel, out var h) == true && h == hash;
        var generationMatches = generation != null && labels?.TryGetValue(TemplateGenerationLabel, out var g) == true
            && g == generation.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return hashMatches || generationMatches;
    }

    /// <summary>Oldest first; among equals, scheduled before pending before unknown (upstream podByCreationTimestampAndPhase).</summary>
    public static int CompareByAge(V1Pod a, V1Pod b)
    {
        var ta = a.Metadata.CreationTimestamp ?? DateTime.MinValue;
        var tb = b.Metadata.CreationTimestamp ?? DateTime.MinValue;
        if (ta != tb)
        {
            return ta.CompareTo(tb);
        }
        var c = string.IsNullOrEmpty(a.Spec?.NodeName).CompareTo(string.IsNullOrEmpty(b.Spec?.NodeName));
        return c != 0 ? c : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name);
    }
}
