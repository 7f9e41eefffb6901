using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>Leases (coordination.k8s.io/v1).</summary>
public sealed class LeaseStrategy : KindStrategy<V1Lease>
{
    public override IEnumerable<FieldError> ValidateCreate(V1Lease obj)
    {
        var errs = new List<FieldError>();
        var spec = obj.Spec ?? new V1LeaseSpec();
        if (spec.LeaseDurationSeconds is <= 0)
        {
            errs.Add(FieldError.Invalid("spec.leaseDurationSeconds", spec.LeaseDurationSeconds.Value, "must be greater than 0"));
        }
        if (spec.LeaseTransitions is < 0)
        {
            errs.Add(FieldError.Invalid("spec.leaseTransitions", spec.LeaseTransitions.Value, "must be greater than or equal to 0"));
        }
        if (spec.Strategy != null && spec.Strategy != "OldestEmulationVersion")
        {
            errs.Add(FieldChecks.NotSupported("spec.strategy", spec.Strategy, "OldestEmulationVersion"));
        }
        if (!string.IsNullOrEmpty(spec.PreferredHolder) && string.IsNullOrEmpty(spec.Strategy))
        {
            errs.Add(FieldError.Forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"));
        }
        return errs;
    }
}
