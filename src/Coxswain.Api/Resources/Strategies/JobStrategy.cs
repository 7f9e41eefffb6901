using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// Jobs (batch/v1). Unless <c>spec.manualSelector</c> is true, the selector and the pod template
/// labels are generated from the job's uid and name; that needs the uid, so it happens in
/// <see cref="PrepareForCreate"/> (and, as upstream does, again at create validation when a uid is
/// present). The API server must assign metadata.uid before either.
/// </summary>
public sealed class JobStrategy : KindStrategy<V1Job>
{
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string LegacyControllerUidLabel = "controller-uid";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
    public const string LegacyJobNameLabel = "job-name";

    public override void Default(V1Job obj)
    {
        obj.Spec ??= new V1JobSpec();
        var spec = obj.Spec;
        if (spec.Completions == null && spec.Parallelism == null)
        {
            spec.Completions = 1;
            spec.Parallelism = 1;
        }
        spec.Parallelism ??= 1;
        spec.BackoffLimit ??= spec.BackoffLimitPerIndex != null ? int.MaxValue : 6;
        var templateLabels = spec.Template?.Metadata?.Labels;
        obj.Metadata ??= new V1ObjectMeta();
        if (templateLabels != null && (obj.Metadata.Labels == null || obj.Metadata.Labels.Count == 0))
        {
            obj.Metadata.Labels = new Dictionary<string, string>(templateLabels);
        }
        spec.CompletionMode ??= "NonIndexed";
        spec.Suspend ??= false;
        foreach (var rule in spec.PodFailurePolicy?.Rules ?? [])
        {
            foreach (var pattern in rule.OnPodConditions ?? [])
            {
                if (string.IsNullOrEmpty(pattern.Status))
                {
                    pattern.Status = "True";
                }
            }
        }
        spec.PodReplacementPolicy ??= spec.PodFailurePolicy != null ? "Failed" : "TerminatingOrFailed";
        spec.ManualSelector ??= false;
        PodDefaults.DefaultTemplate(spec.Template);
    }

    public override void PrepareForCreate(V1Job obj) => GenerateSelector(obj);

    /// <summary>
    /// Upstream's generateSelector: when the selector is not manual and the uid is known, label the
    /// template with job-name / controller-uid (legacy and batch.kubernetes.io/ forms) and select
    /// on batch.kubernetes.io/controller-uid. Labels the user set are kept (validation then
    /// reports a mismatch).
    /// </summary>
    public static void GenerateSelector(V1Job job)
    {
        if (job.Spec == null || job.Spec.ManualSelector == true || string.IsNullOrEmpty(job.Metadata?.Uid))
        {
            return;
        }
        var name = job.Metadata.Name ?? "";
        var uid = job.Metadata.Uid;
        job.Spec.Template ??= new V1PodTemplateSpec();
        job.Spec.Template.Metadata ??= new V1ObjectMeta();
        var labels = job.Spec.Template.Metadata.Labels ??= new Dictionary<string, string>();
        labels.TryAdd(LegacyJobNameLabel, name);
        labels.TryAdd(JobNameLabel, name);
        labels.TryAdd(LegacyControllerUidLabel, uid);
        labels.TryAdd(ControllerUidLabel, uid);
        job.Spec.Selector ??= new V1LabelSelector();
        job.Spec.Selector.MatchLabels ??= new Dictionary<string, string>();
        job.Spec.Selector.MatchLabels.TryAdd(ControllerUidLabel, uid);
    }

    public override IEnumerable<FieldError> ValidateCreate(V1Job obj)
    {
        GenerateSelector(obj);
        var errs = GeneratedSelector(obj);
        errs.AddRange(ValidateSpec(obj.Spec ?? new V1JobSpec(), "spec"));
        var spec = obj.Spec ?? new V1JobSpec();
        if (spec.CompletionMode == "Indexed" && spec.Completions is > 0)
        {
            var hostname = $"{obj.Metadata?.Name}-{spec.Completions - 1}";
            if (ValidationRules.IsDNS1123Label(hostname).Count > 0)
            {
                errs.Add(FieldError.Invalid("metadata.name", obj.Metadata?.Name ?? "", $"will not able to create pod with invalid DNS label: {hostname}"));
            }
        }
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1Job obj, V1Job old)
    {
        var spec = obj.Spec ?? new V1JobSpec();
        var oldSpec = old.Spec ?? new V1JobSpec();
        var errs = GeneratedSelector(obj);
        errs.AddRange(ValidateSpec(spec, "spec"));
        if (spec.CompletionMode == "Indexed")
        {
            if (!ObjectJson.SemanticEquals(spec.Completions, oldSpec.Completions) && spec.Completions != null && spec.Completions != spec.Parallelism)
            {
                errs.Add(FieldError.Invalid("spec.completions", spec.Completions, "can only be modified in tandem with spec.parallelism"));
            }
        }
        else
        {
            errs.AddRange(FieldChecks.Immutable(spec.Completions, oldSpec.Completions, "spec.completions"));
        }
        errs.AddRange(FieldChecks.Immutable(spec.Selector, oldSpec.Selector, "spec.selector"));
        errs.AddRange(TemplateUpdate(spec, oldSpec, old.Status));
        errs.AddRange(FieldChecks.Immutable(spec.CompletionMode, oldSpec.CompletionMode, "spec.completionMode"));
        errs.AddRange(FieldChecks.Immutable(spec.PodFailurePolicy, oldSpec.PodFailurePolicy, "spec.podFailurePolicy"));
        errs.AddRange(FieldChecks.Immutable(spec.BackoffLimitPerIndex, oldSpec.BackoffLimitPerIndex, "spec.backoffLimitPerIndex"));
        errs.AddRange(FieldChecks.Immutable(spec.ManagedBy, oldSpec.ManagedBy, "spec.managedBy"));
        errs.AddRange(FieldChecks.Immutable(spec.SuccessPolicy, oldSpec.SuccessPolicy, "spec.successPolicy"));
        return errs;
    }

    /// <summary>
    /// The template is immutable, except that a suspended job that never started may change its
    /// scheduling directives (node affinity, nodeSelector, tolerations, scheduling gates) and the
    /// template's labels and annotations.
    /// </summary>
    private static List<FieldError> TemplateUpdate(V1JobSpec spec, V1JobSpec oldSpec, V1JobStatus? oldStatus)
    {
        var template = spec.Template ?? new V1PodTemplateSpec();
        var oldTemplate = oldSpec.Template ?? new V1PodTemplateSpec();
        if (oldSpec.Suspend == true && oldStatus?.StartTime == null)
        {
            oldTemplate = ObjectJson.Clone(oldTemplate);
            oldTemplate.Spec ??= new V1PodSpec();
            var newSpec = template.Spec ?? new V1PodSpec();
            if (newSpec.Affinity == null && oldTemplate.Spec.Affinity != null)
            {
                oldTemplate.Spec.Affinity.NodeAffinity = null;
                if (oldTemplate.Spec.Affinity.PodAffinity == null && oldTemplate.Spec.Affinity.PodAntiAffinity == null)
                {
                    oldTemplate.Spec.Affinity = null;
                }
            }
            else if (newSpec.Affinity != null && oldTemplate.Spec.Affinity == null)
            {
                oldTemplate.Spec.Affinity = new V1Affinity { NodeAffinity = newSpec.Affinity.NodeAffinity };
            }
            else if (newSpec.Affinity != null && oldTemplate.Spec.Affinity != null)
            {
                oldTemplate.Spec.Affinity.NodeAffinity = newSpec.Affinity.NodeAffinity;
            }
            oldTemplate.Spec.NodeSelector = newSpec.NodeSelector;
            oldTemplate.Spec.Tolerations = newSpec.Tolerations;
            oldTemplate.Spec.SchedulingGates = newSpec.SchedulingGates;
            oldTemplate.Metadata ??= new V1ObjectMeta();
            oldTemplate.Metadata.Annotations = template.Metadata?.Annotations;
            oldTemplate.Metadata.Labels = template.Metadata?.Labels;
        }
        return FieldChecks.Immutable(template, oldTemplate, "spec.template").ToList();
    }

    /// <summary>With a generated selector, the template must carry the generated labels and the selector must select them.</summary>
    private static List<FieldError> GeneratedSelector(V1Job job)
    {
        var errs = new List<FieldError>();
        var spec = job.Spec;
        if (spec == null || spec.ManualSelector == true || spec.Selector == null)
        {
            return errs;
        }
        var uid = job.Metadata?.Uid ?? "";
        var name = job.Metadata?.Name ?? "";
        if (uid.Length == 0)
        {
            errs.Add(FieldError.Required("metadata.uid"));
        }
        var meta = spec.Template?.Metadata ?? new V1ObjectMeta();
        errs.AddRange(HasLabel(meta, LegacyControllerUidLabel, uid));
        errs.AddRange(HasLabel(meta, LegacyJobNameLabel, name));
        errs.AddRange(HasLabel(meta, ControllerUidLabel, uid));
        errs.AddRange(HasLabel(meta, JobNameLabel, name));
        var expected = new Dictionary<string, string>
        {
            [ControllerUidLabel] = uid,
            [JobNameLabel] = name,
            [LegacyControllerUidLabel] = uid,
            [LegacyJobNameLabel] = name,
        };
        if (SelectorMatching.IsConvertible(spec.Selector) && !SelectorMatching.Matches(spec.Selector, expected))
        {
            errs.Add(FieldChecks.Invalid("spec.selector", spec.Selector, "`selector` not auto-generated"));
        }
        return errs;
    }

    private static IEnumerable<FieldError> HasLabel(V1ObjectMeta meta, string key, string expected)
    {
        var path = FieldChecks.Key("spec.template.metadata.labels", key);
        if (meta.Labels == null || !meta.Labels.TryGetValue(key, out var actual))
        {
            return [FieldError.Required(path, $"must be '{expected}'")];
        }
        return actual == expected ? [] : [FieldChecks.Invalid(path, meta.Labels, $"must be '{expected}'")];
    }

    /// <summary>A Job's spec including the selector (required) selecting the template.</summary>
    private static List<FieldError> ValidateSpec(V1JobSpec spec, string path)
    {
        var errs = BatchValidation.ValidateJobSpec(spec, path);
        var selectorPath = FieldChecks.Child(path, "selector");
        if (spec.Selector == null)
        {
            errs.Add(FieldError.Required(selectorPath));
        }
        else
        {
            errs.AddRange(ObjectMetaValidation.ValidateLabelSelector(spec.Selector, selectorPath));
        }
        if (SelectorMatching.IsConvertible(spec.Selector) && !SelectorMatching.Matches(spec.Selector, spec.Template?.Metadata?.Labels))
        {
            errs.Add(FieldChecks.Invalid(FieldChecks.Child(path, "template.metadata.labels"), spec.Template?.Metadata?.Labels ?? new Dictionary<string, string>(), WorkloadValidation.SelectorMismatch));
        }
        return errs;
    }
}
