using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>StatefulSets (apps/v1).</summary>
public sealed class StatefulSetStrategy : KindStrategy<V1StatefulSet>
{
    public const string ForbiddenUpdateMessage =
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
        + "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

    public override void Default(V1StatefulSet obj)
    {
        obj.Spec ??= new V1StatefulSetSpec();
        var spec = obj.Spec;
        if (string.IsNullOrEmpty(spec.PodManagementPolicy))
        {
            spec.PodManagementPolicy = "OrderedReady";
        }
        spec.UpdateStrategy ??= new V1StatefulSetUpdateStrategy();
        if (string.IsNullOrEmpty(spec.UpdateStrategy.Type))
        {
            spec.UpdateStrategy.Type = "RollingUpdate";
            spec.UpdateStrategy.RollingUpdate ??= new V1RollingUpdateStatefulSetStrategy();
        }
        if (spec.UpdateStrategy is { Type: "RollingUpdate", RollingUpdate: { } ru })
        {
            ru.Partition ??= 0;
        }
        spec.PersistentVolumeClaimRetentionPolicy ??= new V1StatefulSetPersistentVolumeClaimRetentionPolicy();
        if (string.IsNullOrEmpty(spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted))
        {
            spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted = "Retain";
        }
        if (string.IsNullOrEmpty(spec.PersistentVolumeClaimRetentionPolicy.WhenScaled))
        {
            spec.PersistentVolumeClaimRetentionPolicy.WhenScaled = "Retain";
        }
        spec.Replicas ??= 1;
        spec.RevisionHistoryLimit ??= 10;
        PodDefaults.DefaultTemplate(spec.Template);
        foreach (var claim in spec.VolumeClaimTemplates ?? [])
        {
            StorageDefaults.DefaultClaim(claim);
        }
    }

    public override IEnumerable<FieldError> ValidateCreate(V1StatefulSet obj)
    {
        var errs = new List<FieldError>();
        // Pods take their hostname from the StatefulSet name, so upstream now requires a DNS label
        // (the generic subdomain check already reported anything that is not even a subdomain).
        var name = obj.Metadata?.Name;
        if (!string.IsNullOrEmpty(name) && ValidationRules.IsDNS1123Subdomain(name).Count == 0)
        {
            errs.AddRange(FieldChecks.Messages("metadata.name", name, ValidationRules.IsDNS1123Label(name)));
        }
        errs.AddRange(ValidateSpec(obj.Spec ?? new V1StatefulSetSpec(), "spec"));
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1StatefulSet obj, V1StatefulSet old)
    {
        var errs = ValidateSpec(obj.Spec ?? new V1StatefulSetSpec(), "spec");
        var clone = ObjectJson.Clone(obj.Spec ?? new V1StatefulSetSpec());
        var oldSpec = old.Spec ?? new V1StatefulSetSpec();
        clone.Replicas = oldSpec.Replicas;
        clone.Template = oldSpec.Template;
        clone.UpdateStrategy = oldSpec.UpdateStrategy;
        clone.MinReadySeconds = oldSpec.MinReadySeconds;
        clone.Ordinals = oldSpec.Ordinals;
        clone.RevisionHistoryLimit = oldSpec.RevisionHistoryLimit;
        clone.PersistentVolumeClaimRetentionPolicy = oldSpec.PersistentVolumeClaimRetentionPolicy;
        if (!ObjectJson.SemanticEquals(clone, oldSpec))
        {
            errs.Add(FieldError.Forbidden("spec", ForbiddenUpdateMessage));
        }
        return errs;
    }

    private static List<FieldError> ValidateSpec(V1StatefulSetSpec spec, string path)
    {
        var errs = new List<FieldError>();
        switch (spec.PodManagementPolicy)
        {
            case null or "":
                errs.Add(FieldError.Required(FieldChecks.Child(path, "podManagementPolicy")));
                break;
            case "OrderedReady" or "Parallel":
                break;
            default:
                errs.Add(FieldError.Invalid(FieldChecks.Child(path, "podManagementPolicy"), spec.PodManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
                break;
        }
        var strategy = spec.UpdateStrategy ?? new V1StatefulSetUpdateStrategy();
        var sp = FieldChecks.Child(path, "updateStrategy");
        switch (strategy.Type)
        {
            case null or "":
                errs.Add(FieldError.Required(sp));
                break;
            case "OnDelete":
                if (strategy.RollingUpdate != null)
                {
                    errs.Add(FieldChecks.Invalid(FieldChecks.Child(sp, "rollingUpdate"), strategy.RollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
                }
                break;
            case "RollingUpdate":
                if (strategy.RollingUpdate is { } ru)
                {
                    var rp = FieldChecks.Child(sp, "rollingUpdate");
                    errs.AddRange(FieldChecks.NonNegative(ru.Partition ?? 0, FieldChecks.Child(rp, "partition")));
                    if (ru.MaxUnavailable != null)
                    {
                        var mp = FieldChecks.Child(rp, "maxUnavailable");
                        errs.AddRange(WorkloadValidation.PositiveIntOrPercent(ru.MaxUnavailable, mp));
                        if (IntOrStrings.IntOrPercentValue(ru.MaxUnavailable) == 0)
                        {
                            errs.Add(FieldChecks.Invalid(mp, ru.MaxUnavailable, "cannot be 0"));
                        }
                        errs.AddRange(WorkloadValidation.NotMoreThan100Percent(ru.MaxUnavailable, mp));
                    }
                }
                break;
            default:
                errs.Add(FieldChecks.Invalid(sp, strategy, "must be 'RollingUpdate' or 'OnDelete'"));
                break;
        }
        if (spec.PersistentVolumeClaimRetentionPolicy is { } policy)
        {
            var pp = FieldChecks.Child(path, "persistentVolumeClaimRetentionPolicy");
            foreach (var (value, field) in new[] { (policy.WhenDeleted, "whenDeleted"), (policy.WhenScaled, "whenScaled") })
            {
                if (value is not ("Retain" or "Delete"))
                {
                    errs.Add(FieldChecks.NotSupported(FieldChecks.Child(pp, field), value ?? "", "Retain", "Delete"));
                }
            }
        }
        errs.AddRange(FieldChecks.NonNegative(spec.Replicas ?? 0, FieldChecks.Child(path, "replicas")));
        errs.AddRange(FieldChecks.NonNegative(spec.MinReadySeconds ?? 0, FieldChecks.Child(path, "minReadySeconds")));
        if (spec.Ordinals != null)
        {
            errs.AddRange(FieldChecks.NonNegative(spec.Ordinals.Start ?? 0, FieldChecks.Child(path, "ordinals.start")));
        }
        var selectorPath = FieldChecks.Child(path, "selector");
        errs.AddRange(WorkloadValidation.RequiredSelector(spec.Selector, "statefulset", selectorPath));
        var templatePath = FieldChecks.Child(path, "template");
        if (!SelectorMatching.IsConvertible(spec.Selector))
        {
            errs.Add(FieldError.Invalid(selectorPath, ObjectJson.Shown(spec.Selector), ""));
        }
        else if (spec.Template == null)
        {
            errs.Add(FieldError.Required(templatePath));
        }
        else
        {
            // Upstream validates only the template's labels and annotations for StatefulSets.
            errs.AddRange(WorkloadValidation.SelectorMatchesTemplate(spec.Selector, spec.Template, templatePath));
            errs.AddRange(ObjectMetaValidation.ValidateTemplateMeta(spec.Template.Metadata, templatePath));
            errs.AddRange(PodStrategy.PodSpecificAnnotations(spec.Template.Metadata?.Annotations, spec.Template.Spec, FieldChecks.Child(templatePath, "annotations")));
        }
        var template = spec.Template ?? new V1PodTemplateSpec();
        if ((template.Spec?.RestartPolicy ?? "") != "Always")
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(templatePath, "spec.restartPolicy"), template.Spec?.RestartPolicy ?? "", "Always"));
        }
        if (template.Spec?.ActiveDeadlineSeconds != null)
        {
            errs.Add(FieldError.Forbidden(FieldChecks.Child(templatePath, "spec.activeDeadlineSeconds"), "activeDeadlineSeconds in StatefulSet is not Supported"));
        }
        return errs;
    }
}
