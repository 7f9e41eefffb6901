using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>PriorityClasses (scheduling.k8s.io/v1).</summary>
public sealed class PriorityClassStrategy : KindStrategy<V1PriorityClass>
{
    public const int HighestUserDefinablePriority = 1000000000;
    public const string SystemPrefix = "system-";

    public override void Default(V1PriorityClass obj)
    {
        obj.PreemptionPolicy ??= "PreemptLowerPriority";
        obj.Value ??= 0;
    }

    public override IEnumerable<FieldError> ValidateCreate(V1PriorityClass obj)
    {
        var errs = new List<FieldError>();
        var name = obj.Metadata?.Name ?? "";
        var value = obj.Value ?? 0;
        if (name.StartsWith(SystemPrefix, StringComparison.Ordinal))
        {
            string? why = null;
            if (!PodDefaults.SystemPriorityClasses.TryGetValue(name, out var known))
            {
                why = $"{name} is not a known system priority class";
            }
            else if (value != known)
            {
                why = $"value of {name} PriorityClass must be {known}";
            }
            else if (obj.GlobalDefault == true)
            {
                why = $"globalDefault of {name} PriorityClass must be false";
            }
            if (why != null)
            {
                errs.Add(FieldError.Forbidden("metadata.name", $"priority class names with '{SystemPrefix}' prefix are reserved for system use only. error: {why}"));
            }
        }
        else if (value > HighestUserDefinablePriority)
        {
            errs.Add(FieldError.Forbidden("value", $"maximum allowed value of a user defined priority is {HighestUserDefinablePriority}"));
        }
        if (obj.PreemptionPolicy != null)
        {
            errs.AddRange(PodSpecValidation.Enum(obj.PreemptionPolicy, "preemptionPolicy", "PreemptLowerPriority", "Never"));
        }
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1PriorityClass obj, V1PriorityClass old)
    {
        var errs = new List<FieldError>();
        if ((obj.Value ?? 0) != (old.Value ?? 0))
        {
            errs.Add(FieldError.Forbidden("value", "may not be changed in an update."));
        }
        errs.AddRange(FieldChecks.Immutable(obj.PreemptionPolicy, old.PreemptionPolicy, "preemptionPolicy"));
        return errs;
    }
}
