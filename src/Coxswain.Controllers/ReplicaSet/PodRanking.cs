using Coxswain.Controllers.Common;
using k8s.Models;

namespace Coxswain.Controllers.ReplicaSet;

/// <summary>
/// Which pods a controller deletes first when scaling down (upstream ActivePodsWithRanks with pod-deletion-cost
/// and logarithmic scale-down, both on by default): unassigned before assigned; Pending, then Unknown, then
/// Running; not ready before ready; lower controller.kubernetes.io/pod-deletion-cost first; more pods of the same
/// family on its node first; ready for a shorter time first; more container restarts first; newer first. Times
/// compare on a log2 scale of their age, ties broken by uid, so a scale-down does not always pick the very newest.
/// </summary>
public sealed class PodRanking : IComparer<(V1Pod Pod, int Rank)>
{
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    private readonly DateTime _now;

    public PodRanking(DateTime now) => _now = now;

    /// <summary>
    /// The <paramref name="count"/> pods of <paramref name="pods"/> to delete first. The rank of a pod is how many
    /// active <paramref name="related"/> pods share its node.
    /// </summary>
    public static List<V1Pod> PodsToDelete(List<V1Pod> pods, IReadOnlyCollection<V1Pod> related, int count, DateTime now)
    {
        if (count >= pods.Count)
        {
            return [.. pods];
        }
        var onNode = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in related)
        {
            if (Pods.IsActive(p))
            {
                var node = p.Spec?.NodeName ?? "";
                onNode[node] = onNode.GetValueOrDefault(node) + 1;
            }
        }
        var ranked = pods.Select(p => (Pod: p, Rank: onNode.GetValueOrDefault(p.Spec?.NodeName ?? ""))).ToList();
        ranked.Sort(new PodRanking(now));
        return ranked.Take(count).Select(r => r.Pod).ToList();
    }

    public int Compare((V1Pod Pod, int Rank) x, (V1Pod Pod, int Rank) y)
    {
        if (Less(x, y))
        {
            return -1;
        }
        return Less(y, x) ? 1 : 0;
    }

    /// <summary>True when <paramref name="a"/> should be deleted before <paramref name="b"/>.</summary>
    private bool Less((V1Pod Pod, int Rank) a, (V1Pod Pod, int Rank) b)
    {
        var (pa, pb) = (a.Pod, b.Pod);
        var (na, nb) = (pa.Spec?.NodeName ?? "", pb.Spec?.NodeName ?? "");
        if (na != nb && (na.Length == 0 || nb.Length == 0))
        {
            return na.Length == 0;
        }
        var (pha, phb) = (PhaseOrdinal(pa), PhaseOrdinal(pb));
        if (pha != phb)
        {
            return pha < phb;
        }
        var (ra, rb) = (Pods.IsReady(pa), Pods.IsReady(pb));
        if (ra != rb)
        {
            return !ra;
        }
        var (ca, cb) = (DeletionCost(pa), DeletionCost(pb));
        if (ca != cb)
        {
            return ca < cb;
        }
        if (a.Rank != b.Rank)
        {
            return a.Rank > b.Rank;
        }
        if (ra)
        {
            var (ta, tb) = (Pods.ReadyCondition(pa)?.LastTransitionTime, Pods.ReadyCondition(pb)?.LastTransitionTime);
            if (ta != tb && TimeLess(pa, ta, pb, tb) is { } readyLess)
            {
                return readyLess;
            }
        }
        var (sa, sb) = (MaxRestarts(pa), MaxRestarts(pb));
        if (sa != sb)
        {
            return sa > sb;
        }
        var (cta, ctb) = (pa.Metadata.CreationTimestamp, pb.Metadata.CreationTimestamp);
        return cta != ctb && TimeLess(pa, cta, pb, ctb) == true;
    }

    /// <summary>Unset before set; then on a log2 scale of age, younger first; equal scale: by uid.</summary>
    private bool? TimeLess(V1Pod pa, DateTime? ta, V1Pod pb, DateTime? tb)
    {
        if (ta == null || tb == null)
        {
            return ta == null;
        }
        var diff = LogAge(ta.Value) - LogAge(tb.Value);
        return diff == 0 ? string.CompareOrdinal(pa.Metadata.Uid, pb.Metadata.Uid) < 0 : diff < 0;
    }

    private long LogAge(DateTime t)
    {
        // Nanoseconds, as upstream, so that the buckets are the same.
        var ns = (_now - t.ToUniversalTime()).Ticks * 100.0;
        return ns > 0 ? (long)Math.Log2(ns) : -1;
    }

    private static int PhaseOrdinal(V1Pod pod) => pod.Status?.Phase switch
    {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };

    private static int DeletionCost(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(DeletionCostAnnotation, out var v) == true && int.TryParse(v, out var cost) ? cost : 0;

    private static int MaxRestarts(V1Pod pod) => pod.Status?.ContainerStatuses?.Select(c => c.RestartCount).DefaultIfEmpty(0).Max() ?? 0;
}
