using Coxswain.Api.Errors;
using k8s.Models;

namespace Coxswain.Api.Validation;

/// <summary>
/// Resource names (cpu, memory, hugepages-2Mi, example.com/gpu, requests.cpu, ...) and resource
/// quantities, as upstream's core helper and validation treat them.
/// </summary>
public static class ResourceValidation
{
    private static readonly HashSet<string> StandardContainerResources = ["cpu", "memory", "ephemeral-storage"];

    private static readonly HashSet<string> StandardResources =
    [
        "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services", "replicationcontrollers",
        "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims", "storage", "requests.storage",
        "services.nodeports", "services.loadbalancers",
    ];

    private static readonly HashSet<string> StandardQuotaResources =
    [
        "pods", "memory", "cpu", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
        "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
        "persistentvolumeclaims", "configmaps", "replicationcontrollers", "secrets", "services",
        "services.nodeports", "services.loadbalancers", "resourcequotas",
    ];

    private static readonly HashSet<string> IntegerResources =
    [
        "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
        "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
    ];

    public static bool IsHugePage(string name) => name.StartsWith("hugepages-", StringComparison.Ordinal);

    /// <summary>Unprefixed names and names in the kubernetes.io domain.</summary>
    public static bool IsNative(string name) => !name.Contains('/') || name.Contains("kubernetes.io/", StringComparison.Ordinal);

    public static bool IsExtended(string name) =>
        !IsNative(name) && !name.StartsWith("requests.", StringComparison.Ordinal)
        && ValidationRules.IsQualifiedName("requests." + name).Count == 0;

    /// <summary>Requests may differ from limits only for native, non-hugepage resources.</summary>
    public static bool IsOvercommitAllowed(string name) => IsNative(name) && !IsHugePage(name);

    public static bool IsStandardContainer(string name) => StandardContainerResources.Contains(name) || IsHugePage(name);

    public static bool IsStandard(string name) =>
        StandardResources.Contains(name) || IsHugePage(name)
        || name.StartsWith("requests.hugepages-", StringComparison.Ordinal)
        || name.StartsWith("limits.hugepages-", StringComparison.Ordinal);

    public static bool IsStandardQuota(string name) =>
        StandardQuotaResources.Contains(name) || IsHugePage(name)
        || name.StartsWith("requests.hugepages-", StringComparison.Ordinal);

    public static bool IsInteger(string name) => IntegerResources.Contains(name) || IsExtended(name);

    /// <summary>A qualified name; without a domain it must be a standard resource.</summary>
    public static List<FieldError> ValidateResourceName(string name, string path)
    {
        var errs = FieldChecks.QualifiedName(name, path).ToList();
        if (errs.Count == 0 && !name.Contains('/') && !IsStandard(name))
        {
            errs.Add(FieldError.Invalid(path, name, "must be a standard resource type or fully qualified"));
        }
        return errs;
    }

    /// <summary>A resource name usable in a container's requests or limits.</summary>
    public static List<FieldError> ValidateContainerResourceName(string name, string path)
    {
        var errs = ValidateResourceName(name, path);
        if (!name.Contains('/'))
        {
            if (!IsStandardContainer(name))
            {
                errs.Add(FieldError.Invalid(path, name, "must be a standard resource for containers"));
            }
        }
        else if (!IsNative(name) && !IsExtended(name))
        {
            errs.Add(FieldError.Invalid(path, name, "doesn't follow extended resource name standard"));
        }
        return errs;
    }

    public static List<FieldError> ValidateQuotaResourceName(string name, string path)
    {
        var errs = ValidateResourceName(name, path);
        if (!name.Contains('/') && !IsStandardQuota(name))
        {
            errs.Add(FieldError.Invalid(path, name, "must be a standard resource for quota"));
        }
        return errs;
    }

    /// <summary>Non-negative, and whole for integer resources.</summary>
    public static List<FieldError> ValidateQuantityValue(string resource, ResourceQuantity? value, string path)
    {
        var errs = ValidateNonNegativeQuantity(value, path);
        if (IsInteger(resource) && !Quantities.IsInteger(value))
        {
            errs.Add(FieldError.Invalid(path, Quantities.Show(value), "must be an integer"));
        }
        return errs;
    }

    public static List<FieldError> ValidateNonNegativeQuantity(ResourceQuantity? value, string path) =>
        Quantities.Sign(value) < 0 ? [FieldError.Invalid(path, Quantities.Show(value), FieldChecks.IsNegative)] : [];

    public static List<FieldError> ValidatePositiveQuantity(ResourceQuantity? value, string path) =>
        Quantities.Sign(value) <= 0 ? [FieldError.Invalid(path, Quantities.Show(value), "must be greater than zero")] : [];

    /// <summary>
    /// A container's (or pod's) resources: names and quantities valid, requests ≤ limits, requests
    /// equal to limits (and limits present) for resources that cannot be overcommitted, hugepages
    /// only together with cpu or memory, and claims that name the pod's resource claims.
    /// </summary>
    public static List<FieldError> ValidateResourceRequirements(V1ResourceRequirements? r, ISet<string> podClaimNames, string path)
    {
        var errs = new List<FieldError>();
        if (r == null)
        {
            return errs;
        }
        var limPath = FieldChecks.Child(path, "limits");
        var reqPath = FieldChecks.Child(path, "requests");
        bool limCpuMem = false, reqCpuMem = false, limHuge = false, reqHuge = false;
        var limits = r.Limits ?? new Dictionary<string, ResourceQuantity>();
        foreach (var (name, q) in limits)
        {
            var p = FieldChecks.Key(limPath, name);
            errs.AddRange(ValidateContainerResourceName(name, p));
            errs.AddRange(ValidateQuantityValue(name, q, p));
            limHuge |= IsHugePage(name);
            limCpuMem |= name is "cpu" or "memory";
        }
        foreach (var (name, q) in r.Requests ?? new Dictionary<string, ResourceQuantity>())
        {
            var p = FieldChecks.Key(reqPath, name);
            errs.AddRange(ValidateContainerResourceName(name, p));
            errs.AddRange(ValidateQuantityValue(name, q, p));
            if (limits.TryGetValue(name, out var limit))
            {
                var cmp = Quantities.Compare(q, limit);
                if (cmp != 0 && !IsOvercommitAllowed(name))
                {
                    errs.Add(FieldError.Invalid(reqPath, Quantities.Show(q), $"must be equal to {name} limit of {Quantities.Show(limit)}"));
                }
                else if (cmp > 0)
                {
                    errs.Add(FieldError.Invalid(reqPath, Quantities.Show(q), $"must be less than or equal to {name} limit of {Quantities.Show(limit)}"));
                }
            }
            else if (!IsOvercommitAllowed(name))
            {
                errs.Add(FieldError.Required(limPath, "Limit must be set for non overcommitable resources"));
            }
            reqHuge |= IsHugePage(name);
            reqCpuMem |= name is "cpu" or "memory";
        }
        if (!limCpuMem && !reqCpuMem && (reqHuge || limHuge))
        {
            errs.Add(FieldError.Forbidden(path, "HugePages require cpu or memory"));
        }
        var claims = r.Claims ?? [];
        var seen = new HashSet<string>();
        for (var i = 0; i < claims.Count; i++)
        {
            var p = FieldChecks.Index(FieldChecks.Child(path, "claims"), i);
            var name = claims[i].Name ?? "";
            if (name.Length == 0)
            {
                errs.Add(FieldError.Required(p));
                continue;
            }
            if (!seen.Add(name))
            {
                errs.Add(FieldError.Duplicate(p, name));
            }
            if (!podClaimNames.Contains(name))
            {
                var detail = "must be one of the names in pod.spec.resourceClaims"
                    + (podClaimNames.Count == 0 ? " which is empty" : ": " + string.Join(", ", podClaimNames.Order(StringComparer.Ordinal)));
                errs.Add(new FieldError(FieldErrorType.NotFound, p, name, detail));
            }
        }
        return errs;
    }
}
