using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>DaemonSets (apps/v1).</summary>
public sealed class DaemonSetStrategy : KindStrategy<V1DaemonSet>
{
    public override void Default(V1DaemonSet obj)
    {
        obj.Spec ??= new V1DaemonSetSpec();
        var spec = obj.Spec;
        spec.UpdateStrategy ??= new V1DaemonSetUpdateStrategy();
        if (string.IsNullOrEmpty(spec.UpdateStrategy.Type))
        {
            spec.UpdateStrategy.Type = "RollingUpdate";
        }
        if (spec.UpdateStrategy.Type == "RollingUpdate")
        {
            spec.UpdateStrategy.RollingUpdate ??= new V1RollingUpdateDaemonSet();
            spec.UpdateStrategy.RollingUpdate.MaxUnavailable ??= 1;
            spec.UpdateStrategy.RollingUpdate.MaxSurge ??= 0;
        }
        spec.RevisionHistoryLimit ??= 10;
        PodDefaults.DefaultTemplate(spec.Template);
    }

    /// <summary>
    /// Upstream keeps spec.templateGeneration internally and shows it in apps/v1 as this annotation: 1 on create
    /// (or the client's value if it is higher), one more whenever the pod template changes, never set by clients
    /// on update. The DaemonSet controller labels pods with it (pod-template-generation).
    /// </summary>
    public const string TemplateGenerationAnnotation = "deprecated.daemonset.template.generation";

    public override void PrepareForCreate(V1DaemonSet obj) =>
        SetTemplateGeneration(obj, Math.Max(1, TemplateGeneration(obj)));

    public override void PrepareForUpdate(V1DaemonSet obj, V1DaemonSet old)
    {
        var generation = TemplateGeneration(old);
        if (!ObjectJson.SemanticEquals(obj.Spec?.Template, old.Spec?.Template))
        {
            generation++;
        }
        SetTemplateGeneration(obj, generation);
    }

    private static long TemplateGeneration(V1DaemonSet ds) =>
        ds.Metadata?.Annotations?.TryGetValue(TemplateGenerationAnnotation, out var s) == true
        && long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var g) ? g : 0;

    private static void SetTemplateGeneration(V1DaemonSet ds, long generation)
    {
        ds.Metadata ??= new V1ObjectMeta();
        ds.Metadata.Annotations ??= new Dictionary<string, string>();
        ds.Metadata.Annotations[TemplateGenerationAnnotation] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public override IEnumerable<FieldError> ValidateCreate(V1DaemonSet obj) => ValidateSpec(obj.Spec ?? new V1DaemonSetSpec(), "spec");

    public override IEnumerable<FieldError> ValidateUpdate(V1DaemonSet obj, V1DaemonSet old)
    {
        var errs = ValidateSpec(obj.Spec ?? new V1DaemonSetSpec(), "spec");
        errs.AddRange(FieldChecks.Immutable(obj.Spec?.Selector, old.Spec?.Selector, "spec.selector"));
        return errs;
    }

    private static List<FieldError> ValidateSpec(V1DaemonSetSpec spec, string path)
    {
        var selectorPath = FieldChecks.Child(path, "selector");
        var templatePath = FieldChecks.Child(path, "template");
        var errs = ObjectMetaValidation.ValidateLabelSelector(spec.Selector, selectorPath);
        var template = spec.Template ?? new V1PodTemplateSpec();
        if (SelectorMatching.IsConvertible(spec.Selector) && !SelectorMatching.Matches(spec.Selector, template.Metadata?.Labels))
        {
            errs.Add(FieldChecks.Invalid(FieldChecks.Child(templatePath, "metadata.labels"), template.Metadata?.Labels ?? new Dictionary<string, string>(), WorkloadValidation.SelectorMismatch));
        }
        if (SelectorMatching.IsEmpty(spec.Selector))
        {
            errs.Add(FieldChecks.Invalid(selectorPath, spec.Selector, "empty selector is invalid for daemonset"));
        }
        errs.AddRange(PodSpecValidation.ValidatePodTemplateSpec(template, templatePath));
        errs.AddRange(WorkloadValidation.AlwaysRestartNoDeadline(template, templatePath, "DaemonSet"));
        errs.AddRange(FieldChecks.NonNegative(spec.MinReadySeconds ?? 0, FieldChecks.Child(path, "minReadySeconds")));
        errs.AddRange(ValidateUpdateStrategy(spec.UpdateStrategy ?? new V1DaemonSetUpdateStrategy(), FieldChecks.Child(path, "updateStrategy")));
        errs.AddRange(FieldChecks.NonNegative(spec.RevisionHistoryLimit, FieldChecks.Child(path, "revisionHistoryLimit")));
        return errs;
    }

    private static List<FieldError> ValidateUpdateStrategy(V1DaemonSetUpdateStrategy strategy, string path)
    {
        var errs = new List<FieldError>();
        switch (strategy.Type)
        {
            case "OnDelete":
                break;
            case "RollingUpdate":
                var rp = FieldChecks.Child(path, "rollingUpdate");
                var ru = strategy.RollingUpdate;
                if (ru == null)
                {
                    errs.Add(FieldError.Required(rp));
                    break;
                }
                var up = FieldChecks.Child(rp, "maxUnavailable");
                var sp = FieldChecks.Child(rp, "maxSurge");
                errs.AddRange(WorkloadValidation.PositiveIntOrPercent(ru.MaxUnavailable, up));
                errs.AddRange(WorkloadValidation.PositiveIntOrPercent(ru.MaxSurge, sp));
                errs.AddRange(WorkloadValidation.NotMoreThan100Percent(ru.MaxUnavailable, up));
                errs.AddRange(WorkloadValidation.NotMoreThan100Percent(ru.MaxSurge, sp));
                var hasUnavailable = IntOrStrings.IntOrPercentValue(ru.MaxUnavailable) != 0;
                var hasSurge = IntOrStrings.IntOrPercentValue(ru.MaxSurge) != 0;
                if (hasUnavailable && hasSurge)
                {
                    errs.Add(FieldChecks.Invalid(sp, ru.MaxSurge, "may not be set when maxUnavailable is non-zero"));
                }
                else if (!hasUnavailable && !hasSurge)
                {
                    errs.Add(FieldError.Required(up, "cannot be 0 when maxSurge is 0"));
                }
                break;
            default:
                errs.Add(FieldChecks.NotSupported(path, strategy, "RollingUpdate", "OnDelete"));
                break;
        }
        return errs;
    }
}

/// <summary>ControllerRevisions (apps/v1): data is mandatory and, like the revision, never changes.</summary>
public sealed class ControllerRevisionStrategy : KindStrategy<V1ControllerRevision>
{
    public override IEnumerable<FieldError> ValidateCreate(V1ControllerRevision obj)
    {
        var errs = new List<FieldError>();
        if (obj.Data == null)
        {
            errs.Add(FieldError.Required("data", "data is mandatory"));
        }
        errs.AddRange(FieldChecks.NonNegative(obj.Revision ?? 0, "revision"));
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1ControllerRevision obj, V1ControllerRevision old)
    {
        var errs = ValidateCreate(obj).ToList();
        errs.AddRange(FieldChecks.Immutable(obj.Data, old.Data, "data"));
        return errs;
    }
}
