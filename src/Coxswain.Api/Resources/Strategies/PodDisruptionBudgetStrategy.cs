using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>PodDisruptionBudgets (policy/v1): no defaulting; minAvailable and maxUnavailable are exclusive.</summary>
public sealed class PodDisruptionBudgetStrategy : KindStrategy<V1PodDisruptionBudget>
{
    public override IEnumerable<FieldError> ValidateCreate(V1PodDisruptionBudget obj)
    {
        var errs = new List<FieldError>();
        var spec = obj.Spec ?? new V1PodDisruptionBudgetSpec();
        if (spec.MinAvailable != null && spec.MaxUnavailable != null)
        {
            errs.Add(FieldChecks.Invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"));
        }
        if (spec.MinAvailable != null)
        {
            errs.AddRange(WorkloadValidation.PositiveIntOrPercent(spec.MinAvailable, "spec.minAvailable"));
            errs.AddRange(WorkloadValidation.NotMoreThan100Percent(spec.MinAvailable, "spec.minAvailable"));
        }
        if (spec.MaxUnavailable != null)
        {
            errs.AddRange(WorkloadValidation.PositiveIntOrPercent(spec.MaxUnavailable, "spec.maxUnavailable"));
            errs.AddRange(WorkloadValidation.NotMoreThan100Percent(spec.MaxUnavailable, "spec.maxUnavailable"));
        }
        errs.AddRange(ObjectMetaValidation.ValidateLabelSelector(spec.Selector, "spec.selector"));
        if (spec.UnhealthyPodEvictionPolicy != null && spec.UnhealthyPodEvictionPolicy is not ("AlwaysAllow" or "IfHealthyBudget"))
        {
            errs.Add(FieldChecks.NotSupported("spec.unhealthyPodEvictionPolicy", spec.UnhealthyPodEvictionPolicy, "AlwaysAllow", "IfHealthyBudget"));
        }
        return errs;
    }
}
