using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>ReplicaSets (apps/v1).</summary>
public sealed class ReplicaSetStrategy : KindStrategy<V1ReplicaSet>
{
    public override void Default(V1ReplicaSet obj)
    {
        obj.Spec ??= new V1ReplicaSetSpec();
        obj.Spec.Replicas ??= 1;
        PodDefaults.DefaultTemplate(obj.Spec.Template);
    }

    public override IEnumerable<FieldError> ValidateCreate(V1ReplicaSet obj) => ValidateSpec(obj.Spec ?? new V1ReplicaSetSpec(), "spec");

    public override IEnumerable<FieldError> ValidateUpdate(V1ReplicaSet obj, V1ReplicaSet old)
    {
        var errs = ValidateSpec(obj.Spec ?? new V1ReplicaSetSpec(), "spec");
        errs.AddRange(FieldChecks.Immutable(obj.Spec?.Selector, old.Spec?.Selector, "spec.selector"));
        return errs;
    }

    private static List<FieldError> ValidateSpec(V1ReplicaSetSpec spec, string path)
    {
        var errs = FieldChecks.NonNegative(spec.Replicas ?? 0, FieldChecks.Child(path, "replicas")).ToList();
        errs.AddRange(FieldChecks.NonNegative(spec.MinReadySeconds ?? 0, FieldChecks.Child(path, "minReadySeconds")));
        var selectorPath = FieldChecks.Child(path, "selector");
        // Upstream reuses the deployment wording for replica sets.
        errs.AddRange(WorkloadValidation.RequiredSelector(spec.Selector, "deployment", selectorPath));
        errs.AddRange(WorkloadValidation.TemplateForReplicaSet(spec.Template, spec.Selector, selectorPath, FieldChecks.Child(path, "template"), "ReplicaSet"));
        return errs;
    }
}
