using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// Namespaces (core/v1). On create a namespace is Active and carries the "kubernetes"
/// finalizer; afterwards spec.finalizers change only through the finalize subresource and
/// status.phase only through the status subresource (see <see cref="ValidateFinalize"/> and
/// <see cref="ValidateStatus"/>).
/// </summary>
public sealed class NamespaceStrategy : KindStrategy<V1Namespace>
{
    public const string MetadataNameLabel = "kubernetes.io/metadata.name";
    public const string KubernetesFinalizer = "kubernetes";

    public override void Default(V1Namespace obj)
    {
        NameLabel(obj);
        obj.Status ??= new V1NamespaceStatus();
        if (string.IsNullOrEmpty(obj.Status.Phase))
        {
            obj.Status.Phase = "Active";
        }
    }

    public override void PrepareForCreate(V1Namespace obj)
    {
        obj.Status = new V1NamespaceStatus { Phase = "Active" };
        obj.Spec ??= new V1NamespaceSpec();
        obj.Spec.Finalizers ??= new List<string>();
        if (!obj.Spec.Finalizers.Contains(KubernetesFinalizer))
        {
            obj.Spec.Finalizers.Add(KubernetesFinalizer);
        }
        NameLabel(obj);
    }

    /// <summary>A normal update keeps the finalizers (and, through the server, the status).</summary>
    public override void PrepareForUpdate(V1Namespace obj, V1Namespace old)
    {
        obj.Spec ??= new V1NamespaceSpec();
        obj.Spec.Finalizers = old.Spec?.Finalizers;
    }

    public override IEnumerable<FieldError> ValidateCreate(V1Namespace obj)
    {
        var errs = new List<FieldError>();
        foreach (var f in obj.Spec?.Finalizers ?? [])
        {
            errs.AddRange(ObjectMetaValidation.ValidateFinalizerName(f, "spec.finalizers"));
        }
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1Namespace obj, V1Namespace old) => [];

    /// <summary>The status subresource: Active unless deletion has started, then Terminating.</summary>
    public static List<FieldError> ValidateStatus(V1Namespace ns)
    {
        var phase = ns.Status?.Phase ?? "";
        if (ns.Metadata?.DeletionTimestamp == null)
        {
            return phase == "Active" ? [] : [FieldError.Invalid("status.Phase", phase, "may only be 'Active' if `deletionTimestamp` is empty")];
        }
        return phase == "Terminating" ? [] : [FieldError.Invalid("status.Phase", phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
    }

    /// <summary>The finalize subresource: every remaining spec finalizer must be a valid name.</summary>
    public static List<FieldError> ValidateFinalize(V1Namespace ns)
    {
        var errs = new List<FieldError>();
        var finalizers = ns.Spec?.Finalizers ?? [];
        for (var i = 0; i < finalizers.Count; i++)
        {
            errs.AddRange(ObjectMetaValidation.ValidateFinalizerName(finalizers[i], $"spec.finalizers[{i}]"));
        }
        return errs;
    }

    private static void NameLabel(V1Namespace obj)
    {
        if (!string.IsNullOrEmpty(obj.Metadata?.Name))
        {
            obj.Metadata.Labels ??= new Dictionary<string, string>();
            obj.Metadata.Labels[MetadataNameLabel] = obj.Metadata.Name;
        }
    }
}
