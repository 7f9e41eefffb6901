using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Deployment;

/// <summary>
/// Upstream's deployment/util: annotations the controller keeps on ReplicaSets, maxSurge/maxUnavailable arithmetic,
/// replica counting over a set of ReplicaSets, template comparison and the orderings the rollout relies on.
/// </summary>
internal static class DeploymentUtil
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
    public const string ChangeCauseAnnotation = "kubernetes.io/change-cause";
    public const string PodTemplateHashLabel = "pod-template-hash";

    /// <summary>Upper bound on the revision-history annotation; the oldest entries are dropped past it.</summary>
    public const int MaxRevisionHistoryLength = 2000;

    // Annotations of the deployment that are not copied to its ReplicaSets: the controller's own, and the
    // last-applied configuration (which would make `kubectl apply` diffs of the RS meaningless).
    private static readonly HashSet<string> NotCopied =
    [
        "kubectl.kubernetes.io/last-applied-configuration",
        RevisionAnnotation, RevisionHistoryAnnotation, DesiredReplicasAnnotation, MaxReplicasAnnotation,
        "deprecated.deployment.rollback.to",
    ];

    public static T Clone<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    public static int Replicas(V1Deployment d) => d.Spec.Replicas ?? 1;

    public static int Replicas(V1ReplicaSet rs) => rs.Spec.Replicas ?? 1;

    public static bool IsRollingUpdate(V1Deployment d) => d.Spec.Strategy?.Type != "Recreate";

    public static bool HasProgressDeadline(V1Deployment d) => d.Spec.ProgressDeadlineSeconds is int s && s != int.MaxValue;

    public static bool HasRevisionHistoryLimit(V1Deployment d) => d.Spec.RevisionHistoryLimit is int l && l != int.MaxValue;

    /// <summary>An int, or a percentage of <paramref name="total"/> rounded up or down (intstr.GetScaledValueFromIntOrPercent).</summary>
    public static int Scaled(IntOrString? value, int total, bool roundUp)
    {
        var s = value?.Value;
        if (string.IsNullOrEmpty(s))
        {
            return 0;
        }
        if (s.EndsWith('%'))
        {
            var percent = int.Parse(s.AsSpan(0, s.Length - 1), CultureInfo.InvariantCulture);
            var scaled = (double)percent * total / 100;
            return (int)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
        }
        return int.Parse(s, CultureInfo.InvariantCulture);
    }

    /// <summary>maxSurge and maxUnavailable resolved against the desired count; both 0 would stall, so unavailable becomes 1.</summary>
    public static (int Surge, int Unavailable) ResolveFenceposts(V1Deployment d)
    {
        var ru = d.Spec.Strategy?.RollingUpdate;
        var desired = Replicas(d);
        var surge = Scaled(ru?.MaxSurge, desired, roundUp: true);
        var unavailable = Scaled(ru?.MaxUnavailable, desired, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    public static int MaxSurge(V1Deployment d) => IsRollingUpdate(d) ? ResolveFenceposts(d).Surge : 0;

    public static int MaxUnavailable(V1Deployment d)
    {
        var replicas = Replicas(d);
        if (!IsRollingUpdate(d) || replicas == 0)
        {
            return 0;
        }
        return Math.Min(ResolveFenceposts(d).Unavailable, replicas);
    }

    /// <summary>Sum of spec.replicas.</summary>
    public static int SpecReplicas(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs == null ? 0 : Replicas(rs));

    /// <summary>Sum of status.replicas (pods that exist).</summary>
    public static int ActualReplicas(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs?.Status?.Replicas ?? 0);

    public static int ReadyReplicas(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs?.Status?.ReadyReplicas ?? 0);

    public static int AvailableReplicas(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs?.Status?.AvailableReplicas ?? 0);

    public static int Available(V1ReplicaSet rs) => rs.Status?.AvailableReplicas ?? 0;

    /// <summary>ReplicaSets asked for at least one pod.</summary>
    public static List<V1ReplicaSet> Active(IEnumerable<V1ReplicaSet?> rss) => [.. rss.Where(rs => rs != null && Replicas(rs) > 0).Select(rs => rs!)];

    /// <summary>The revision annotation; 0 when missing or unreadable.</summary>
    public static long Revision(V1ReplicaSet rs) =>
        rs.Metadata.Annotations?.TryGetValue(RevisionAnnotation, out var v) == true && long.TryParse(v, CultureInfo.InvariantCulture, out var r) ? r : 0;

    public static long MaxRevision(IEnumerable<V1ReplicaSet> rss) => rss.Select(Revision).DefaultIfEmpty(0).Max();

    public static int? IntAnnotation(V1ReplicaSet rs, string key) =>
        rs.Metadata.Annotations?.TryGetValue(key, out var v) == true && int.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>
    /// Pod templates equal once the pod-template-hash label is ignored (upstream EqualIgnoreHash). Like Go's
    /// semantic equality, empty objects and lists equal missing ones: `kubectl rollout undo` sends the old
    /// template with `resources: {}` where the deployment's own template had none.
    /// </summary>
    public static bool EqualIgnoreHash(V1PodTemplateSpec? a, V1PodTemplateSpec? b) => JsonNode.DeepEquals(WithoutHash(a), WithoutHash(b));

    private static JsonNode? WithoutHash(V1PodTemplateSpec? t)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(t ?? new V1PodTemplateSpec()));
        if (node?["metadata"] is JsonObject meta && meta["labels"] is JsonObject labels)
        {
            labels.Remove(PodTemplateHashLabel);
        }
        return Prune(node) ? null : node;
    }

    /// <summary>Removes nulls, empty objects and empty lists below <paramref name="node"/>; true when it is itself empty.</summary>
    private static bool Prune(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return true;
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    if (Prune(value))
                    {
                        o.Remove(key);
                    }
                }
                return o.Count == 0;
            case JsonArray a:
                foreach (var item in a)
                {
                    Prune(item);
                }
                return a.Count == 0;
            default:
                return false;
        }
    }

    /// <summary>The ReplicaSet whose template is the deployment's; the oldest wins if several are (upstream FindNewReplicaSet).</summary>
    public static V1ReplicaSet? FindNew(V1Deployment d, IEnumerable<V1ReplicaSet> rss) =>
        rss.OrderBy(rs => rs, ByCreation).FirstOrDefault(rs => EqualIgnoreHash(rs.Spec.Template, d.Spec.Template));

    /// <summary>Older first, then by name.</summary>
    public static readonly Comparer<V1ReplicaSet> ByCreation = Comparer<V1ReplicaSet>.Create((a, b) =>
    {
        var c = Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
        return c != 0 ? c : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name);
    });

    /// <summary>Lower revision first, then older first.</summary>
    public static readonly Comparer<V1ReplicaSet> ByRevision = Comparer<V1ReplicaSet>.Create((a, b) =>
    {
        var c = Revision(a).CompareTo(Revision(b));
        return c != 0 ? c : ByCreation.Compare(a, b);
    });

    /// <summary>Larger first; ties older first (the order to scale down in).</summary>
    public static readonly Comparer<V1ReplicaSet> BySizeOlder = Comparer<V1ReplicaSet>.Create((a, b) =>
    {
        var c = Replicas(b).CompareTo(Replicas(a));
        return c != 0 ? c : ByCreation.Compare(a, b);
    });

    /// <summary>Larger first; ties newer first (the order to scale up in).</summary>
    public static readonly Comparer<V1ReplicaSet> BySizeNewer = Comparer<V1ReplicaSet>.Create((a, b) =>
    {
        var c = Replicas(b).CompareTo(Replicas(a));
        return c != 0 ? c : ByCreation.Compare(b, a);
    });

    /// <summary>Sets desired-replicas and max-replicas; true when either changed.</summary>
    public static bool SetReplicasAnnotations(V1ReplicaSet rs, int desired, int max)
    {
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var d = desired.ToString(CultureInfo.InvariantCulture);
        var m = max.ToString(CultureInfo.InvariantCulture);
        var changed = false;
        if (!annotations.TryGetValue(DesiredReplicasAnnotation, out var cur) || cur != d)
        {
            annotations[DesiredReplicasAnnotation] = d;
            changed = true;
        }
        if (!annotations.TryGetValue(MaxReplicasAnnotation, out cur) || cur != m)
        {
            annotations[MaxReplicasAnnotation] = m;
            changed = true;
        }
        return changed;
    }

    public static bool ReplicasAnnotationsNeedUpdate(V1ReplicaSet rs, int desired, int max) =>
        IntAnnotation(rs, DesiredReplicasAnnotation) != desired || IntAnnotation(rs, MaxReplicasAnnotation) != max;

    /// <summary>
    /// Brings the new ReplicaSet's annotations up to date (upstream SetNewReplicaSetAnnotations): the deployment's
    /// own annotations (change-cause among them), the revision (the replaced one moves to revision-history), and
    /// for a ReplicaSet being created the replica annotations. True when something changed.
    /// </summary>
    public static bool SetNewReplicaSetAnnotations(V1Deployment d, V1ReplicaSet rs, long newRevision, bool exists)
    {
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = false;
        foreach (var (k, v) in d.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (NotCopied.Contains(k) || (annotations.TryGetValue(k, out var cur) && cur == v))
            {
                continue;
            }
            annotations[k] = v;
            changed = true;
        }
        annotations.TryGetValue(RevisionAnnotation, out var oldRevision);
        long oldRevisionNumber = 0;
        if (!string.IsNullOrEmpty(oldRevision) && !long.TryParse(oldRevision, CultureInfo.InvariantCulture, out oldRevisionNumber))
        {
            return changed;
        }
        if (oldRevisionNumber < newRevision)
        {
            annotations[RevisionAnnotation] = newRevision.ToString(CultureInfo.InvariantCulture);
            changed = true;
            if (!string.IsNullOrEmpty(oldRevision))
            {
                AppendRevisionHistory(annotations, oldRevision);
            }
        }
        if (!exists && SetReplicasAnnotations(rs, Replicas(d), Replicas(d) + MaxSurge(d)))
        {
            changed = true;
        }
        return changed;
    }

    private static void AppendRevisionHistory(IDictionary<string, string> annotations, string oldRevision)
    {
        annotations.TryGetValue(RevisionHistoryAnnotation, out var history);
        if (string.IsNullOrEmpty(history))
        {
            annotations[RevisionHistoryAnnotation] = oldRevision;
            return;
        }
        var revisions = history.Split(',').ToList();
        var length = history.Length + oldRevision.Length + 1;
        var start = 0;
        while (length > MaxRevisionHistoryLength && start < revisions.Count)
        {
            length -= revisions[start].Length + 1;
            start++;
        }
        if (length <= MaxRevisionHistoryLength)
        {
            annotations[RevisionHistoryAnnotation] = string.Join(',', revisions.Skip(start).Append(oldRevision));
        }
    }

    /// <summary>Records the current revision on the deployment; true when it changed.</summary>
    public static bool SetDeploymentRevision(V1Deployment d, string revision)
    {
        var annotations = d.Metadata.Annotations ??= new Dictionary<string, string>();
        if (annotations.TryGetValue(RevisionAnnotation, out var cur) && cur == revision)
        {
            return false;
        }
        annotations[RevisionAnnotation] = revision;
        return true;
    }

    /// <summary>
    /// How many pods the new ReplicaSet should ask for now (upstream NewRSNewReplicas): Recreate jumps to the
    /// desired count; RollingUpdate grows it while all ReplicaSets together stay within replicas + maxSurge.
    /// </summary>
    public static int NewRSNewReplicas(V1Deployment d, IReadOnlyCollection<V1ReplicaSet> all, V1ReplicaSet newRS)
    {
        var replicas = Replicas(d);
        if (!IsRollingUpdate(d))
        {
            return replicas;
        }
        var maxSurge = Scaled(d.Spec.Strategy?.RollingUpdate?.MaxSurge, replicas, roundUp: true);
        var current = SpecReplicas(all);
        var maxTotal = replicas + maxSurge;
        if (current >= maxTotal)
        {
            return Replicas(newRS);
        }
        var scaleUp = Math.Min(maxTotal - current, replicas - Replicas(newRS));
        return Replicas(newRS) + scaleUp;
    }

    /// <summary>Every pod updated, existing and available, and the latest spec observed.</summary>
    public static bool DeploymentComplete(V1Deployment d, V1DeploymentStatus s) =>
        (s.UpdatedReplicas ?? 0) == Replicas(d) && (s.Replicas ?? 0) == Replicas(d) && (s.AvailableReplicas ?? 0) == Replicas(d)
        && (s.ObservedGeneration ?? 0) >= (d.Metadata.Generation ?? 0);
}
