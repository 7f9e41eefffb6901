using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// Nodes (core/v1, cluster-scoped). Unlike most kinds, a node is created with its status (the
/// kubelet registers itself with capacity and addresses), so the server must not reset it.
/// </summary>
public sealed class NodeStrategy : KindStrategy<V1Node>
{
    public override void Default(V1Node obj)
    {
        if (obj.Status == null)
        {
            return;
        }
        Quantities.RoundUpToMilli(obj.Status.Capacity);
        Quantities.RoundUpToMilli(obj.Status.Allocatable);
        if (obj.Status.Allocatable == null && obj.Status.Capacity != null)
        {
            obj.Status.Allocatable = obj.Status.Capacity.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value.ToString()));
        }
    }

    /// <summary>The deprecated dynamic kubelet config fields are dropped.</summary>
    public override void PrepareForCreate(V1Node obj)
    {
        if (obj.Spec != null)
        {
            obj.Spec.ConfigSource = null;
        }
        if (obj.Status != null)
        {
            obj.Status.Config = null;
        }
    }

    public override IEnumerable<FieldError> ValidateCreate(V1Node obj)
    {
        var errs = new List<FieldError>();
        if (obj.Spec?.Taints is { Count: > 0 } taints)
        {
            // Upstream reports node taints under metadata (its field path starts there).
            errs.AddRange(ValidateTaints(taints, "metadata.taints"));
        }
        errs.AddRange(Resources(obj));
        var cidrs = obj.Spec?.PodCIDRs ?? [];
        for (var i = 0; i < cidrs.Count; i++)
        {
            errs.AddRange(FieldChecks.Messages($"spec.podCIDRs[{i}]", cidrs[i] ?? "", ValidationRules.IsValidCIDR(cidrs[i] ?? "")));
        }
        if (cidrs.Count > 1 && errs.Count == 0)
        {
            var families = cidrs.Select(c => ValidationRules.ParseCIDR(c)?.Address.AddressFamily).ToList();
            if (cidrs.Count > 2 || families[0] == families[1])
            {
                errs.Add(FieldChecks.Invalid("spec.podCIDRs", cidrs, "may specify no more than one CIDR for each IP family"));
            }
            var seen = new HashSet<string>();
            for (var i = 0; i < cidrs.Count; i++)
            {
                if (!seen.Add(cidrs[i]))
                {
                    errs.Add(FieldError.Duplicate($"spec.podCIDRs[{i}]", cidrs[i]));
                }
            }
        }
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1Node obj, V1Node old)
    {
        var errs = Resources(obj);
        var addresses = obj.Status?.Addresses ?? [];
        var seen = new HashSet<(string?, string?)>();
        for (var i = 0; i < addresses.Count; i++)
        {
            if (!seen.Add((addresses[i].Type, addresses[i].Address)))
            {
                errs.Add(FieldChecks.Duplicate($"status.addresses[{i}]", addresses[i]));
            }
        }
        var oldCidrs = old.Spec?.PodCIDRs ?? [];
        var cidrs = obj.Spec?.PodCIDRs ?? [];
        if (oldCidrs.Count > 0 && !oldCidrs.SequenceEqual(cidrs))
        {
            errs.Add(FieldError.Forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
        }
        if (!string.IsNullOrEmpty(old.Spec?.ProviderID) && old.Spec.ProviderID != obj.Spec?.ProviderID)
        {
            errs.Add(FieldError.Forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
        }
        if (obj.Spec?.Taints is { Count: > 0 } taints)
        {
            errs.AddRange(ValidateTaints(taints, "metadata.taints"));
        }
        if ((obj.Spec?.ExternalID ?? "") != (old.Spec?.ExternalID ?? ""))
        {
            errs.Add(FieldError.Forbidden("spec.externalID", "may not be updated"));
        }
        return errs;
    }

    private static List<FieldError> Resources(V1Node node)
    {
        var errs = new List<FieldError>();
        foreach (var (k, v) in node.Status?.Capacity ?? new Dictionary<string, ResourceQuantity>())
        {
            errs.AddRange(ResourceValidation.ValidateQuantityValue(k, v, $"status.capacity.{k}"));
        }
        foreach (var (k, v) in node.Status?.Allocatable ?? new Dictionary<string, ResourceQuantity>())
        {
            errs.AddRange(ResourceValidation.ValidateQuantityValue(k, v, $"status.allocatable.{k}"));
        }
        return errs;
    }

    /// <summary>Taints: qualified-name keys, label values, a known effect, unique by key and effect.</summary>
    public static List<FieldError> ValidateTaints(IList<V1Taint> taints, string path)
    {
        var errs = new List<FieldError>();
        var unique = new HashSet<(string?, string?)>();
        for (var i = 0; i < taints.Count; i++)
        {
            var t = taints[i];
            var p = FieldChecks.Index(path, i);
            errs.AddRange(FieldChecks.QualifiedName(t.Key ?? "", FieldChecks.Child(p, "key")));
            var valueErrors = ValidationRules.IsValidLabelValue(t.Value ?? "");
            if (valueErrors.Count > 0)
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "value"), t.Value ?? "", string.Join(";", valueErrors)));
            }
            errs.AddRange(PodSpecValidation.TaintEffect(t.Effect, allowEmpty: false, FieldChecks.Child(p, "effect")));
            if (!unique.Add((t.Effect, t.Key)))
            {
                errs.Add(new FieldError(FieldErrorType.Duplicate, p, ObjectJson.Shown(t), "taints must be unique by key and effect pair"));
            }
        }
        return errs;
    }
}
