using System.Globalization;
using System.Text.RegularExpressions;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.StatefulSet;

/// <summary>
/// A StatefulSet pod's identity and storage (upstream stateful_set_utils.go): the name "&lt;set&gt;-&lt;ordinal&gt;",
/// the pod-name and pod-index labels, hostname/subdomain, and one volume per claim template pointing at the claim
/// "&lt;template&gt;-&lt;set&gt;-&lt;ordinal&gt;".
/// </summary>
internal static partial class StatefulSetUtils
{
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";
    public const string RevisionLabel = "controller-revision-hash";

    [GeneratedRegex("^(.*)-([0-9]+)$")]
    private static partial Regex OrdinalName();

    /// <summary>The parent name and ordinal a pod's name encodes, or ("", -1).</summary>
    public static (string Parent, int Ordinal) ParentAndOrdinal(string? podName)
    {
        var m = OrdinalName().Match(podName ?? "");
        if (!m.Success || !int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal))
        {
            return ("", -1);
        }
        return (m.Groups[1].Value, ordinal);
    }

    public static int OrdinalOf(V1Pod pod) => ParentAndOrdinal(pod.Metadata?.Name).Ordinal;

    /// <summary>True when the pod's name says it belongs to <paramref name="set"/> (upstream isMemberOf).</summary>
    public static bool IsMemberOf(V1StatefulSet set, V1Pod pod) => ParentAndOrdinal(pod.Metadata?.Name).Parent == set.Metadata.Name;

    public static int StartOrdinal(V1StatefulSet set) => set.Spec.Ordinals?.Start ?? 0;

    public static int Replicas(V1StatefulSet set) => set.Spec.Replicas ?? 1;

    /// <summary>Ordinals [start, start + replicas) are wanted; any other ordinal is condemned.</summary>
    public static bool InOrdinalRange(V1StatefulSet set, int ordinal) =>
        ordinal >= StartOrdinal(set) && ordinal < StartOrdinal(set) + Replicas(set);

    public static string PodName(V1StatefulSet set, int ordinal) => $"{set.Metadata.Name}-{ordinal.ToString(CultureInfo.InvariantCulture)}";

    public static string ClaimName(V1StatefulSet set, V1PersistentVolumeClaim template, int ordinal) =>
        $"{template.Metadata.Name}-{set.Metadata.Name}-{ordinal.ToString(CultureInfo.InvariantCulture)}";

    public static string? RevisionOf(V1Pod pod) => pod.Metadata?.Labels?.TryGetValue(RevisionLabel, out var r) == true ? r : null;

    // Pod states as the StatefulSet controller judges them.
    public static bool IsCreated(V1Pod pod) => !string.IsNullOrEmpty(pod.Status?.Phase);
    public static bool IsPending(V1Pod pod) => pod.Status?.Phase == "Pending";
    public static bool IsFailed(V1Pod pod) => pod.Status?.Phase == "Failed";
    public static bool IsSucceeded(V1Pod pod) => pod.Status?.Phase == "Succeeded";
    public static bool IsTerminating(V1Pod pod) => pod.Metadata?.DeletionTimestamp != null;
    public static bool IsRunningAndReady(V1Pod pod) => pod.Status?.Phase == "Running" && Pods.IsReady(pod);
    public static bool IsRunningAndAvailable(V1Pod pod, int minReadySeconds, DateTime now) =>
        pod.Status?.Phase == "Running" && Pods.IsAvailable(pod, minReadySeconds, now);
    public static bool IsHealthy(V1Pod pod) => IsRunningAndReady(pod) && !IsTerminating(pod);

    /// <summary>The claims the pod with <paramref name="ordinal"/> uses, keyed by template (volume) name.</summary>
    public static Dictionary<string, V1PersistentVolumeClaim> Claims(V1StatefulSet set, int ordinal)
    {
        var claims = new Dictionary<string, V1PersistentVolumeClaim>(StringComparer.Ordinal);
        foreach (var template in set.Spec.VolumeClaimTemplates ?? [])
        {
            var claim = Clone(template);
            claim.ApiVersion = "v1";
            claim.Kind = "PersistentVolumeClaim";
            claim.Metadata ??= new V1ObjectMeta();
            claim.Metadata.Name = ClaimName(set, template, ordinal);
            claim.Metadata.NamespaceProperty = set.Metadata.NamespaceProperty;
            // The template's labels plus the set's matchLabels, as upstream labels its claims.
            claim.Metadata.Labels = claim.Metadata.Labels == null ? [] : new Dictionary<string, string>(claim.Metadata.Labels);
            foreach (var (k, v) in set.Spec.Selector?.MatchLabels ?? new Dictionary<string, string>())
            {
                claim.Metadata.Labels[k] = v;
            }
            claim.Status = null;
            claims[template.Metadata.Name] = claim;
        }
        return claims;
    }

    /// <summary>Sets the pod's name, namespace and identity labels (upstream updateIdentity).</summary>
    public static void UpdateIdentity(V1StatefulSet set, V1Pod pod)
    {
        var ordinal = OrdinalOf(pod);
        pod.Metadata.Name = PodName(set, ordinal);
        pod.Metadata.NamespaceProperty = set.Metadata.NamespaceProperty;
        pod.Metadata.Labels ??= new Dictionary<string, string>();
        pod.Metadata.Labels[PodNameLabel] = pod.Metadata.Name;
        pod.Metadata.Labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
    }

    public static bool IdentityMatches(V1StatefulSet set, V1Pod pod)
    {
        var (parent, ordinal) = ParentAndOrdinal(pod.Metadata.Name);
        var labels = pod.Metadata.Labels;
        return ordinal >= 0 && parent == set.Metadata.Name && pod.Metadata.Name == PodName(set, ordinal)
            && pod.Metadata.NamespaceProperty == set.Metadata.NamespaceProperty
            && labels?.TryGetValue(PodNameLabel, out var n) == true && n == pod.Metadata.Name
            && labels.TryGetValue(PodIndexLabel, out var i) && i == ordinal.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Points the claim templates' volumes at the pod's claims, keeping the pod's other volumes (upstream updateStorage).</summary>
    public static void UpdateStorage(V1StatefulSet set, V1Pod pod)
    {
        var claims = Claims(set, OrdinalOf(pod));
        var volumes = claims.Select(c => new V1Volume
        {
            Name = c.Key,
            PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = c.Value.Metadata.Name, ReadOnlyProperty = false },
        }).ToList();
        volumes.AddRange((pod.Spec.Volumes ?? []).Where(v => !claims.ContainsKey(v.Name)));
        pod.Spec.Volumes = volumes;
    }

    public static bool StorageMatches(V1StatefulSet set, V1Pod pod)
    {
        var ordinal = OrdinalOf(pod);
        if (ordinal < 0)
        {
            return false;
        }
        var volumes = (pod.Spec.Volumes ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var template in set.Spec.VolumeClaimTemplates ?? [])
        {
            if (!volumes.TryGetValue(template.Metadata.Name, out var v) || v.PersistentVolumeClaim?.ClaimName != ClaimName(set, template, ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A new pod of <paramref name="set"/> for <paramref name="ordinal"/> (upstream newStatefulSetPod).</summary>
    public static V1Pod NewPod(V1StatefulSet set, int ordinal)
    {
        var controllerRef = OwnerRefs.NewControllerRef(set, "apps/v1", "StatefulSet");
        var pod = PodControl.FromTemplate(set, set.Spec.Template, controllerRef, PodName(set, ordinal));
        UpdateIdentity(set, pod);
        // Set only at creation: hostname and subdomain are immutable.
        pod.Spec.Hostname = pod.Metadata.Name;
        pod.Spec.Subdomain = set.Spec.ServiceName;
        UpdateStorage(set, pod);
        return pod;
    }

    /// <summary>
    /// A pod at the current revision when the partition (or, without rollingUpdate, the count of current replicas)
    /// says its ordinal stays behind, else at the update revision (upstream newVersionedStatefulSetPod).
    /// </summary>
    public static V1Pod NewVersionedPod(V1StatefulSet currentSet, V1StatefulSet updateSet, string currentRevision, string updateRevision, int ordinal)
    {
        var strategy = currentSet.Spec.UpdateStrategy;
        var start = StartOrdinal(currentSet);
        var current = strategy?.Type == "RollingUpdate" && (strategy.RollingUpdate == null
            ? ordinal < start + (currentSet.Status?.CurrentReplicas ?? 0)
            : ordinal < start + (strategy.RollingUpdate.Partition ?? 0));
        var pod = NewPod(current ? currentSet : updateSet, ordinal);
        pod.Metadata.Labels[RevisionLabel] = current ? currentRevision : updateRevision;
        return pod;
    }

    public static T Clone<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
}
