using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>LimitRanges (core/v1).</summary>
public sealed class LimitRangeStrategy : KindStrategy<V1LimitRange>
{
    private static readonly HashSet<string> StandardLimitTypes = ["Pod", "Container", "PersistentVolumeClaim"];

    /// <summary>
    /// Container items: default limits from max, default requests from the default limits, else
    /// from min (upstream's SetDefaults_LimitRangeItem).
    /// </summary>
    public override void Default(V1LimitRange obj)
    {
        foreach (var item in obj.Spec?.Limits ?? [])
        {
            if (item.Type != "Container")
            {
                continue;
            }
            foreach (var (k, v) in item.Max ?? new Dictionary<string, ResourceQuantity>())
            {
                item.DefaultProperty ??= new Dictionary<string, ResourceQuantity>();
                item.DefaultProperty.TryAdd(k, new ResourceQuantity(v.ToString()));
            }
            foreach (var (k, v) in item.DefaultProperty ?? new Dictionary<string, ResourceQuantity>())
            {
                item.DefaultRequest ??= new Dictionary<string, ResourceQuantity>();
                item.DefaultRequest.TryAdd(k, new ResourceQuantity(v.ToString()));
            }
            foreach (var (k, v) in item.Min ?? new Dictionary<string, ResourceQuantity>())
            {
                item.DefaultRequest ??= new Dictionary<string, ResourceQuantity>();
                item.DefaultRequest.TryAdd(k, new ResourceQuantity(v.ToString()));
            }
        }
    }

    public override IEnumerable<FieldError> ValidateCreate(V1LimitRange obj)
    {
        var errs = new List<FieldError>();
        var types = new HashSet<string>();
        var limits = obj.Spec?.Limits ?? [];
        for (var i = 0; i < limits.Count; i++)
        {
            var limit = limits[i];
            var p = $"spec.limits[{i}]";
            var type = limit.Type ?? "";
            var typeErrors = FieldChecks.QualifiedName(type, FieldChecks.Child(p, "type")).ToList();
            if (typeErrors.Count == 0 && !type.Contains('/') && !StandardLimitTypes.Contains(type))
            {
                typeErrors.Add(FieldError.Invalid(FieldChecks.Child(p, "type"), type, "must be a standard limit type or fully qualified"));
            }
            errs.AddRange(typeErrors);
            if (!types.Add(type))
            {
                errs.Add(FieldError.Duplicate(FieldChecks.Child(p, "type"), type));
            }
            var keys = new SortedSet<string>(StringComparer.Ordinal);
            var min = Collect(limit.Min, type, FieldChecks.Child(p, "min"), keys, errs);
            var max = Collect(limit.Max, type, FieldChecks.Child(p, "max"), keys, errs);
            Dictionary<string, ResourceQuantity> defaults = [], defaultRequests = [];
            if (type == "Pod")
            {
                if (limit.DefaultProperty is { Count: > 0 })
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(p, "default"), "may not be specified when `type` is 'Pod'"));
                }
                if (limit.DefaultRequest is { Count: > 0 })
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(p, "defaultRequest"), "may not be specified when `type` is 'Pod'"));
                }
            }
            else
            {
                defaults = Collect(limit.DefaultProperty, type, FieldChecks.Child(p, "default"), keys, errs);
                defaultRequests = Collect(limit.DefaultRequest, type, FieldChecks.Child(p, "defaultRequest"), keys, errs);
            }
            if (type == "PersistentVolumeClaim" && !min.ContainsKey("storage") && !max.ContainsKey("storage"))
            {
                errs.Add(FieldError.Required(FieldChecks.Child(p, "limits"), "either minimum or maximum storage value is required, but neither was provided"));
            }
            var ratios = Collect(limit.MaxLimitRequestRatio, type, FieldChecks.Child(p, "maxLimitRequestRatio"), keys, errs);
            foreach (var k in keys)
            {
                var hasMin = min.TryGetValue(k, out var mn);
                var hasMax = max.TryGetValue(k, out var mx);
                var hasDefault = defaults.TryGetValue(k, out var def);
                var hasRequest = defaultRequests.TryGetValue(k, out var req);
                var hasRatio = ratios.TryGetValue(k, out var ratio);
                string S(ResourceQuantity? q) => Quantities.Show(q);
                if (hasMin && hasMax && Quantities.Compare(mn, mx) > 0)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Key(FieldChecks.Child(p, "min"), k), S(mn), $"min value {S(mn)} is greater than max value {S(mx)}"));
                }
                if (hasRequest && hasMin && Quantities.Compare(mn, req) > 0)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Key(FieldChecks.Child(p, "defaultRequest"), k), S(req), $"min value {S(mn)} is greater than default request value {S(req)}"));
                }
                if (hasRequest && hasMax && Quantities.Compare(req, mx) > 0)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Key(FieldChecks.Child(p, "defaultRequest"), k), S(req), $"default request value {S(req)} is greater than max value {S(mx)}"));
                }
                if (hasRequest && hasDefault && Quantities.Compare(req, def) > 0)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Key(FieldChecks.Child(p, "defaultRequest"), k), S(req), $"default request value {S(req)} is greater than default limit value {S(def)}"));
                }
                if (hasDefault && hasMin && Quantities.Compare(mn, def) > 0)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Key(FieldChecks.Child(p, "default"), k), S(mn), $"min value {S(mn)} is greater than default value {S(def)}"));
                }
                if (hasDefault && hasMax && Quantities.Compare(def, mx) > 0)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Key(FieldChecks.Child(p, "default"), k), S(mx), $"default value {S(def)} is greater than max value {S(mx)}"));
                }
                if (hasRatio && Quantities.Value(ratio) < 1)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Key(FieldChecks.Child(p, "maxLimitRequestRatio"), k), S(ratio), $"ratio {S(ratio)} is less than 1"));
                }
                if (hasRatio && hasMin && hasMax && Quantities.Value(mn) > 0)
                {
                    var limitRatio = Quantities.Value(mx) / Quantities.Value(mn);
                    if (Quantities.Value(ratio) > limitRatio)
                    {
                        errs.Add(FieldError.Invalid(FieldChecks.Key(FieldChecks.Child(p, "maxLimitRequestRatio"), k), S(ratio),
                            $"ratio {S(ratio)} is greater than max/min = {limitRatio.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)}"));
                    }
                }
                if (!ResourceValidation.IsOvercommitAllowed(k) && hasDefault && hasRequest && Quantities.Compare(def, req) != 0)
                {
                    errs.Add(FieldError.Invalid(FieldChecks.Key(FieldChecks.Child(p, "defaultRequest"), k), S(req), $"default value {S(def)} must equal to defaultRequest value {S(req)} in {k}"));
                }
            }
        }
        return errs;
    }

    private static Dictionary<string, ResourceQuantity> Collect(
        IDictionary<string, ResourceQuantity>? list, string type, string path, ISet<string> keys, List<FieldError> errs)
    {
        var result = new Dictionary<string, ResourceQuantity>();
        foreach (var (k, q) in list ?? new Dictionary<string, ResourceQuantity>())
        {
            var p = FieldChecks.Key(path, k);
            errs.AddRange(type is "Pod" or "Container" ? ResourceValidation.ValidateContainerResourceName(k, p) : ResourceValidation.ValidateResourceName(k, p));
            keys.Add(k);
            result[k] = q;
        }
        return result;
    }
}

/// <summary>ResourceQuotas (core/v1).</summary>
public sealed class ResourceQuotaStrategy : KindStrategy<V1ResourceQuota>
{
    private static readonly HashSet<string> StandardScopes =
        ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity", "VolumeAttributesClass"];

    private static readonly HashSet<string> ExistsOnlyScopes = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "CrossNamespacePodAffinity"];

    public override IEnumerable<FieldError> ValidateCreate(V1ResourceQuota obj)
    {
        var errs = ValidateSpec(obj.Spec ?? new V1ResourceQuotaSpec());
        errs.AddRange(ResourceList(obj.Status?.Hard, "status.hard"));
        errs.AddRange(ResourceList(obj.Status?.Used, "status.used"));
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(V1ResourceQuota obj, V1ResourceQuota old)
    {
        var errs = ValidateSpec(obj.Spec ?? new V1ResourceQuotaSpec());
        var scopes = new HashSet<string>(obj.Spec?.Scopes ?? []);
        if (!scopes.SetEquals(old.Spec?.Scopes ?? []))
        {
            errs.Add(FieldChecks.Invalid("spec.scopes", obj.Spec?.Scopes ?? [], FieldChecks.FieldImmutable));
        }
        return errs;
    }

    private static List<FieldError> ValidateSpec(V1ResourceQuotaSpec spec)
    {
        var errs = ResourceList(spec.Hard, "spec.hard");
        var scopes = spec.Scopes ?? [];
        foreach (var scope in scopes)
        {
            if (!StandardScopes.Contains(scope))
            {
                errs.Add(FieldChecks.Invalid("spec.scopes", scopes, "unsupported scope"));
            }
        }
        if (Conflicting(scopes))
        {
            errs.Add(FieldChecks.Invalid("spec.scopes", scopes, "conflicting scopes"));
        }
        var exprs = spec.ScopeSelector?.MatchExpressions ?? [];
        const string path = "spec.scopeSelector.matchExpressions";
        foreach (var req in exprs)
        {
            if (!StandardScopes.Contains(req.ScopeName ?? ""))
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(path, "scopeName"), req.ScopeName ?? "", "unsupported scope"));
            }
            if (ExistsOnlyScopes.Contains(req.ScopeName ?? "") && req.OperatorProperty != "Exists")
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(path, "operator"), req.OperatorProperty ?? "",
                    "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"));
            }
            switch (req.OperatorProperty)
            {
                case "In" or "NotIn":
                    if ((req.Values?.Count ?? 0) == 0)
                    {
                        errs.Add(FieldError.Required(FieldChecks.Child(path, "values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
                    }
                    break;
                case "Exists" or "DoesNotExist":
                    if ((req.Values?.Count ?? 0) != 0)
                    {
                        errs.Add(FieldChecks.Invalid(FieldChecks.Child(path, "values"), req.Values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
                    }
                    break;
                default:
                    errs.Add(FieldError.Invalid(FieldChecks.Child(path, "operator"), req.OperatorProperty ?? "", "not a valid selector operator"));
                    break;
            }
        }
        if (Conflicting(exprs.Select(e => e.ScopeName ?? "").ToList()))
        {
            errs.Add(FieldChecks.Invalid(path, scopes, "conflicting scopes"));
        }
        return errs;
    }

    private static bool Conflicting(IList<string> scopes) =>
        (scopes.Contains("BestEffort") && scopes.Contains("NotBestEffort")) || (scopes.Contains("Terminating") && scopes.Contains("NotTerminating"));

    private static List<FieldError> ResourceList(IDictionary<string, ResourceQuantity>? list, string path)
    {
        var errs = new List<FieldError>();
        foreach (var (k, v) in list ?? new Dictionary<string, ResourceQuantity>())
        {
            var p = FieldChecks.Key(path, k);
            errs.AddRange(ResourceValidation.ValidateQuotaResourceName(k, p));
            errs.AddRange(ResourceValidation.ValidateQuantityValue(k, v, p));
        }
        return errs;
    }
}
