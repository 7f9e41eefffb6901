using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// Rules shared by the workload controllers' kinds (apps/v1 and batch/v1): label selectors that
/// must select the pod template, restartPolicy constraints, int-or-percent fields.
/// </summary>
internal static class WorkloadValidation
{
    public const string SelectorMismatch = "`selector` does not match template `labels`";

    /// <summary>spec.selector required, valid and non-empty (<c>empty selector is invalid for {kind}</c>).</summary>
    public static List<FieldError> RequiredSelector(V1LabelSelector? selector, string kindWord, string path)
    {
        if (selector == null)
        {
            return [FieldError.Required(path)];
        }
        var errs = ObjectMetaValidation.ValidateLabelSelector(selector, path);
        if (SelectorMatching.IsEmpty(selector))
        {
            errs.Add(FieldChecks.Invalid(path, selector, $"empty selector is invalid for {kindWord}"));
        }
        return errs;
    }

    /// <summary>
    /// The template of a ReplicaSet or Deployment (upstream's ValidatePodTemplateSpecForReplicaSet):
    /// labels selected, a valid pod template, restartPolicy Always, no activeDeadlineSeconds.
    /// </summary>
    public static List<FieldError> TemplateForReplicaSet(V1PodTemplateSpec? template, V1LabelSelector? selector, string selectorPath, string path, string kindName)
    {
        var errs = new List<FieldError>();
        if (!SelectorMatching.IsConvertible(selector))
        {
            errs.Add(FieldChecks.Invalid(selectorPath, selector, "invalid label selector"));
            return errs;
        }
        if (template == null)
        {
            errs.Add(FieldError.Required(path));
            return errs;
        }
        errs.AddRange(SelectorMatchesTemplate(selector, template, path));
        errs.AddRange(PodSpecValidation.ValidatePodTemplateSpec(template, path));
        errs.AddRange(AlwaysRestartNoDeadline(template, path, kindName));
        return errs;
    }

    /// <summary>A non-empty selector must select the template's labels.</summary>
    public static List<FieldError> SelectorMatchesTemplate(V1LabelSelector? selector, V1PodTemplateSpec template, string path)
    {
        if (SelectorMatching.IsEmpty(selector) || SelectorMatching.Matches(selector, template.Metadata?.Labels))
        {
            return [];
        }
        return [FieldChecks.Invalid(FieldChecks.Child(path, "metadata.labels"), template.Metadata?.Labels ?? new Dictionary<string, string>(), SelectorMismatch)];
    }

    /// <summary>Long-running workloads restart their pods always and have no deadline.</summary>
    public static List<FieldError> AlwaysRestartNoDeadline(V1PodTemplateSpec template, string path, string kindName)
    {
        var errs = new List<FieldError>();
        var restart = template.Spec?.RestartPolicy ?? "";
        if (restart != "Always")
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "spec.restartPolicy"), restart, "Always"));
        }
        if (template.Spec?.ActiveDeadlineSeconds != null)
        {
            errs.Add(FieldError.Forbidden(FieldChecks.Child(path, "spec.activeDeadlineSeconds"), $"activeDeadlineSeconds in {kindName} is not Supported"));
        }
        return errs;
    }

    /// <summary>A non-negative integer or a valid percentage string.</summary>
    public static List<FieldError> PositiveIntOrPercent(IntOrString? value, string path)
    {
        if (IntOrStrings.IsInt(value, out var i))
        {
            return FieldChecks.NonNegative(i, path).ToList();
        }
        var s = value?.Value ?? "";
        return FieldChecks.Messages(path, s, ValidationRules.IsValidPercent(s)).ToList();
    }

    public static List<FieldError> NotMoreThan100Percent(IntOrString? value, string path) =>
        IntOrStrings.IsPercent(value, out var p) && p > 100
            ? [FieldChecks.Invalid(path, value, "must not be greater than 100%")]
            : [];
}
