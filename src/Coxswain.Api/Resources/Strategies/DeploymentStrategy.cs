using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>Deployments (apps/v1).</summary>
public sealed class DeploymentStrategy : KindStrategy<V1Deployment>
{
    public override void Default(V1Deployment obj)
    {
        obj.Spec ??= new V1DeploymentSpec();
        var spec = obj.Spec;
        spec.Replicas ??= 1;
        spec.Strategy ??= new V1DeploymentStrategy();
        if (string.IsNullOrEmpty(spec.Strategy.Type))
        {
            spec.Strategy.Type = "RollingUpdate";
        }
        if (spec.Strategy.Type == "RollingUpdate")
        {
            spec.Strategy.RollingUpdate ??= new V1RollingUpdateDeployment();
            spec.Strategy.RollingUpdate.MaxUnavailable ??= "25%";
            spec.Strategy.RollingUpdate.MaxSurge ??= "25%";
        }
        spec.RevisionHistoryLimit ??= 10;
        spec.ProgressDeadlineSeconds ??= 600;
        PodDefaults.DefaultTemplate(spec.Template);
    }

    public override IEnumerable<FieldError> ValidateCreate(V1Deployment obj) => ValidateSpec(obj.Spec ?? new V1DeploymentSpec(), "spec");

    public override IEnumerable<FieldError> ValidateUpdate(V1Deployment obj, V1Deployment old)
    {
        var errs = ValidateSpec(obj.Spec ?? new V1DeploymentSpec(), "spec");
        errs.AddRange(FieldChecks.Immutable(obj.Spec?.Selector, old.Spec?.Selector, "spec.selector"));
        return errs;
    }

    private static List<FieldError> ValidateSpec(V1DeploymentSpec spec, string path)
    {
        var errs = FieldChecks.NonNegative(spec.Replicas ?? 0, FieldChecks.Child(path, "replicas")).ToList();
        var selectorPath = FieldChecks.Child(path, "selector");
        errs.AddRange(WorkloadValidation.RequiredSelector(spec.Selector, "deployment", selectorPath));
        errs.AddRange(WorkloadValidation.TemplateForReplicaSet(spec.Template, spec.Selector, selectorPath, FieldChecks.Child(path, "template"), "ReplicaSet"));
        errs.AddRange(ValidateStrategy(spec.Strategy ?? new V1DeploymentStrategy(), FieldChecks.Child(path, "strategy")));
        errs.AddRange(FieldChecks.NonNegative(spec.MinReadySeconds ?? 0, FieldChecks.Child(path, "minReadySeconds")));
        errs.AddRange(FieldChecks.NonNegative(spec.RevisionHistoryLimit, FieldChecks.Child(path, "revisionHistoryLimit")));
        if (spec.ProgressDeadlineSeconds is { } pds)
        {
            errs.AddRange(FieldChecks.NonNegative(pds, FieldChecks.Child(path, "progressDeadlineSeconds")));
            if (pds <= (spec.MinReadySeconds ?? 0))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(path, "progressDeadlineSeconds"), pds, "must be greater than minReadySeconds"));
            }
        }
        return errs;
    }

    private static List<FieldError> ValidateStrategy(V1DeploymentStrategy strategy, string path)
    {
        var errs = new List<FieldError>();
        switch (strategy.Type)
        {
            case "Recreate":
                if (strategy.RollingUpdate != null)
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(path, "rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"));
                }
                break;
            case "RollingUpdate":
                var ru = strategy.RollingUpdate;
                var rp = FieldChecks.Child(path, "rollingUpdate");
                if (ru == null)
                {
                    errs.Add(FieldError.Required(rp, "this should be defaulted and never be nil"));
                    break;
                }
                errs.AddRange(WorkloadValidation.PositiveIntOrPercent(ru.MaxUnavailable, FieldChecks.Child(rp, "maxUnavailable")));
                errs.AddRange(WorkloadValidation.PositiveIntOrPercent(ru.MaxSurge, FieldChecks.Child(rp, "maxSurge")));
                if (IntOrStrings.IntOrPercentValue(ru.MaxUnavailable) == 0 && IntOrStrings.IntOrPercentValue(ru.MaxSurge) == 0)
                {
                    errs.Add(FieldChecks.Invalid(FieldChecks.Child(rp, "maxUnavailable"), ru.MaxUnavailable, "may not be 0 when `maxSurge` is 0"));
                }
                errs.AddRange(WorkloadValidation.NotMoreThan100Percent(ru.MaxUnavailable, FieldChecks.Child(rp, "maxUnavailable")));
                break;
            default:
                errs.Add(FieldChecks.NotSupported(path, strategy, "Recreate", "RollingUpdate"));
                break;
        }
        return errs;
    }
}
