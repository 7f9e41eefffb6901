using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>Pods (core/v1): defaulting, create validation and the narrow set of allowed spec updates.</summary>
public sealed class PodStrategy : KindStrategy<V1Pod>
{
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    /// <summary>The fields a pod update may change, as upstream lists them in its Forbidden message.</summary>
    public const string UpdatableFields =
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
        + "`spec.tolerations` (only additions to existing tolerations),"
        + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    public override void Default(V1Pod obj) => PodDefaults.DefaultPod(obj);

    /// <summary>A new pod starts Pending with its QoS class computed; client-sent status is gone by now.</summary>
    public override void PrepareForCreate(V1Pod obj)
    {
        obj.Status ??= new V1PodStatus();
        obj.Status.Phase = "Pending";
        obj.Status.QosClass = ComputeQosClass(obj.Spec);
    }

    public override IEnumerable<FieldError> ValidateCreate(V1Pod obj)
    {
        var errs = MetadataAndSpec(obj);
        if (obj.Spec?.EphemeralContainers is { Count: > 0 })
        {
            errs.Add(FieldError.Forbidden("spec.ephemeralContainers", "cannot be set on create"));
        }
        if (!string.IsNullOrEmpty(obj.Spec?.NodeName) && obj.Spec.SchedulingGates is { Count: > 0 })
        {
            errs.Add(FieldError.Forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"));
        }
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1Pod obj, V1Pod old)
    {
        var errs = MetadataAndSpec(obj);
        errs.AddRange(AnnotationUpdates(obj.Metadata?.Annotations, old.Metadata?.Annotations));
        var spec = obj.Spec ?? new V1PodSpec();
        var oldSpec = old.Spec ?? new V1PodSpec();

        if (ContainerUpdates(spec.Containers, oldSpec.Containers, "spec.containers", errs)
            || ContainerUpdates(spec.InitContainers, oldSpec.InitContainers, "spec.initContainers", errs))
        {
            return errs;
        }

        // activeDeadlineSeconds may be set from nil or lowered, never raised or removed.
        if (spec.ActiveDeadlineSeconds is { } ads)
        {
            if (ads < 0 || ads > int.MaxValue)
            {
                errs.Add(FieldError.Invalid("spec.activeDeadlineSeconds", ads, ValidationRules.InclusiveRangeError(0, int.MaxValue)));
                return errs;
            }
            if (oldSpec.ActiveDeadlineSeconds is { } oldAds && oldAds < ads)
            {
                errs.Add(FieldError.Invalid("spec.activeDeadlineSeconds", ads, "must be less than or equal to previous value"));
                return errs;
            }
        }
        else if (oldSpec.ActiveDeadlineSeconds != null)
        {
            errs.Add(FieldError.Invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
        }

        errs.AddRange(OnlyAddedTolerations(spec.Tolerations, oldSpec.Tolerations, "spec.tolerations"));
        errs.AddRange(OnlyDeletedSchedulingGates(spec.SchedulingGates, oldSpec.SchedulingGates, "spec.schedulingGates"));

        if (ObjectJson.SemanticEquals(spec, oldSpec))
        {
            return errs;
        }

        // Put the old values back into the fields that may change, then nothing else may differ.
        var munged = ObjectJson.Clone(spec);
        for (var i = 0; i < (munged.Containers?.Count ?? 0); i++)
        {
            munged.Containers![i].Image = oldSpec.Containers![i].Image;
        }
        for (var i = 0; i < (munged.InitContainers?.Count ?? 0); i++)
        {
            munged.InitContainers![i].Image = oldSpec.InitContainers![i].Image;
        }
        munged.ActiveDeadlineSeconds = oldSpec.ActiveDeadlineSeconds;
        munged.SchedulingGates = oldSpec.SchedulingGates;
        munged.Tolerations = oldSpec.Tolerations;
        if (oldSpec.TerminationGracePeriodSeconds is < 0 && munged.TerminationGracePeriodSeconds == 1)
        {
            munged.TerminationGracePeriodSeconds = oldSpec.TerminationGracePeriodSeconds;
        }
        if (oldSpec.SchedulingGates is { Count: > 0 } && !ObjectJson.SemanticEquals(munged.NodeSelector, oldSpec.NodeSelector))
        {
            // Gated pods may gain nodeSelector entries but not change or lose them.
            var oldSelector = oldSpec.NodeSelector ?? new Dictionary<string, string>();
            var newSelector = munged.NodeSelector ?? new Dictionary<string, string>();
            foreach (var (k, v) in oldSelector)
            {
                if (!newSelector.TryGetValue(k, out var nv) || nv != v)
                {
                    errs.Add(FieldChecks.Invalid("spec.nodeSelector", newSelector, "only additions to spec.nodeSelector are allowed (no mutations or deletions)"));
                    break;
                }
            }
            munged.NodeSelector = oldSpec.NodeSelector;
        }
        if (!ObjectJson.SemanticEquals(munged, oldSpec))
        {
            errs.Add(FieldError.Forbidden("spec",
                $"pod updates may not change fields other than {UpdatableFields}\n{JsonDiff.Describe(oldSpec, munged, "spec")}"));
        }
        return errs;
    }

    private static List<FieldError> MetadataAndSpec(V1Pod pod)
    {
        var errs = PodSpecificAnnotations(pod.Metadata?.Annotations, pod.Spec, "metadata.annotations");
        errs.AddRange(PodSpecValidation.ValidatePodSpec(pod.Spec, pod.Metadata, "spec", isPod: true));
        var spec = pod.Spec ?? new V1PodSpec();
        if (string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            var volumes = spec.Volumes ?? [];
            for (var vi = 0; vi < volumes.Count; vi++)
            {
                var sources = volumes[vi].Projected?.Sources ?? [];
                for (var si = 0; si < sources.Count; si++)
                {
                    if (sources[si].ServiceAccountToken != null)
                    {
                        errs.Add(FieldError.Forbidden($"spec.volumes[{vi}].projected.sources[{si}].serviceAccountToken",
                            "must not be specified when serviceAccountName is not set"));
                    }
                }
            }
        }
        for (var i = 0; i < (spec.Containers?.Count ?? 0); i++)
        {
            errs.AddRange(ContainerValidation.OnlyForPod(spec.Containers![i], $"spec.containers[{i}]"));
        }
        for (var i = 0; i < (spec.InitContainers?.Count ?? 0); i++)
        {
            errs.AddRange(ContainerValidation.OnlyForPod(spec.InitContainers![i], $"spec.initContainers[{i}]"));
        }
        return errs;
    }

    /// <summary>Annotations with meaning for pods: the mirror-pod marker and the deletion cost.</summary>
    internal static List<FieldError> PodSpecificAnnotations(IDictionary<string, string>? annotations, V1PodSpec? spec, string path)
    {
        var errs = new List<FieldError>();
        if (annotations == null)
        {
            return errs;
        }
        if (annotations.TryGetValue(PodDefaults.MirrorPodAnnotation, out var mirror) && string.IsNullOrEmpty(spec?.NodeName))
        {
            errs.Add(FieldError.Invalid(FieldChecks.Key(path, PodDefaults.MirrorPodAnnotation), mirror, "must set spec.nodeName if mirror pod annotation is set"));
        }
        if (annotations.TryGetValue(DeletionCostAnnotation, out var cost) && !int.TryParse(cost, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            errs.Add(FieldError.Invalid(FieldChecks.Key(path, DeletionCostAnnotation), cost, "must be a 32bit integer"));
        }
        return errs;
    }

    private static List<FieldError> AnnotationUpdates(IDictionary<string, string>? annotations, IDictionary<string, string>? old)
    {
        var errs = new List<FieldError>();
        annotations ??= new Dictionary<string, string>();
        old ??= new Dictionary<string, string>();
        var key = FieldChecks.Key("metadata.annotations", PodDefaults.MirrorPodAnnotation);
        var had = old.TryGetValue(PodDefaults.MirrorPodAnnotation, out var oldValue);
        var has = annotations.TryGetValue(PodDefaults.MirrorPodAnnotation, out var newValue);
        if (had && (!has || newValue != oldValue))
        {
            errs.Add(FieldError.Forbidden(key, "may not remove or update mirror pod annotation"));
        }
        if (!had && has)
        {
            errs.Add(FieldError.Forbidden(key, "may not add mirror pod annotation"));
        }
        return errs;
    }

    /// <summary>Returns true (stop) when containers were added or removed.</summary>
    private static bool ContainerUpdates(IList<V1Container>? containers, IList<V1Container>? old, string path, List<FieldError> errs)
    {
        if ((containers?.Count ?? 0) != (old?.Count ?? 0))
        {
            errs.Add(FieldError.Forbidden(path, "pod updates may not add or remove containers"));
            return true;
        }
        for (var i = 0; i < (containers?.Count ?? 0); i++)
        {
            var image = containers![i].Image ?? "";
            if (image.Length == 0)
            {
                errs.Add(FieldError.Required($"{path}[{i}].image"));
            }
            if (image.Trim().Length != image.Length)
            {
                errs.Add(FieldError.Invalid($"{path}[{i}].image", image, "must not have leading or trailing whitespace"));
            }
        }
        return false;
    }

    private static List<FieldError> OnlyAddedTolerations(IList<V1Toleration>? tolerations, IList<V1Toleration>? old, string path)
    {
        tolerations ??= [];
        foreach (var o in old ?? [])
        {
            var found = tolerations.Any(t =>
                t.Key == o.Key && t.OperatorProperty == o.OperatorProperty && t.Value == o.Value && t.Effect == o.Effect);
            if (!found)
            {
                return [FieldError.Forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
            }
        }
        return PodSpecValidation.ValidateTolerations(tolerations, path);
    }

    private static List<FieldError> OnlyDeletedSchedulingGates(IList<V1PodSchedulingGate>? gates, IList<V1PodSchedulingGate>? old, string path)
    {
        var errs = new List<FieldError>();
        var oldNames = new HashSet<string>((old ?? []).Select(g => g.Name ?? ""));
        for (var i = 0; i < (gates?.Count ?? 0); i++)
        {
            var name = gates![i].Name ?? "";
            if (!oldNames.Contains(name))
            {
                errs.Add(FieldError.Forbidden($"{path}[{i}].name", $"only deletion is allowed, but found new scheduling gate '{name}'"));
            }
        }
        return errs;
    }

    /// <summary>Guaranteed, Burstable or BestEffort from the containers' cpu and memory requests and limits.</summary>
    public static string ComputeQosClass(V1PodSpec? spec)
    {
        var requests = new Dictionary<string, decimal>();
        var limits = new Dictionary<string, decimal>();
        var guaranteed = true;
        foreach (var c in (spec?.InitContainers ?? []).Concat(spec?.Containers ?? []))
        {
            foreach (var (name, q) in c.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>())
            {
                if (name is "cpu" or "memory" && Quantities.Sign(q) > 0)
                {
                    requests[name] = requests.GetValueOrDefault(name) + Quantities.Value(q);
                }
            }
            var found = new HashSet<string>();
            foreach (var (name, q) in c.Resources?.Limits ?? new Dictionary<string, ResourceQuantity>())
            {
                if (name is "cpu" or "memory" && Quantities.Sign(q) > 0)
                {
                    found.Add(name);
                    limits[name] = limits.GetValueOrDefault(name) + Quantities.Value(q);
                }
            }
            if (!found.Contains("cpu") || !found.Contains("memory"))
            {
                guaranteed = false;
            }
        }
        if (requests.Count == 0 && limits.Count == 0)
        {
            return "BestEffort";
        }
        if (guaranteed)
        {
            foreach (var (name, req) in requests)
            {
                if (!limits.TryGetValue(name, out var lim) || lim != req)
                {
                    guaranteed = false;
                    break;
                }
            }
        }
        return guaranteed && requests.Count == limits.Count ? "Guaranteed" : "Burstable";
    }
}
