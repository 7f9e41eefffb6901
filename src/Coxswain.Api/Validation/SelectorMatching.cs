using k8s.Models;

namespace Coxswain.Api.Validation;

/// <summary>
/// Matching of a metav1.LabelSelector against a label set with upstream's
/// LabelSelectorAsSelector semantics: a null selector matches nothing, an empty one everything.
/// </summary>
public static class SelectorMatching
{
    /// <summary>True when the selector has neither matchLabels nor matchExpressions (it selects everything).</summary>
    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector != null && (selector.MatchLabels?.Count ?? 0) + (selector.MatchExpressions?.Count ?? 0) == 0;

    /// <summary>
    /// False when upstream could not turn the selector into a label selector (bad operator, In
    /// without values, Exists with values, invalid keys or values).
    /// </summary>
    public static bool IsConvertible(V1LabelSelector? selector)
    {
        if (selector == null)
        {
            return true;
        }
        foreach (var (k, v) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (ValidationRules.IsQualifiedName(k).Count > 0 || ValidationRules.IsValidLabelValue(v ?? "").Count > 0)
            {
                return false;
            }
        }
        foreach (var e in selector.MatchExpressions ?? [])
        {
            var n = e.Values?.Count ?? 0;
            var ok = e.OperatorProperty switch
            {
                "In" or "NotIn" => n > 0,
                "Exists" or "DoesNotExist" => n == 0,
                _ => false,
            };
            if (!ok || ValidationRules.IsQualifiedName(e.Key ?? "").Count > 0)
            {
                return false;
            }
        }
        return true;
    }

    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector == null)
        {
            return false;
        }
        labels ??= new Dictionary<string, string>();
        foreach (var (k, v) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(k, out var actual) || actual != v)
            {
                return false;
            }
        }
        foreach (var e in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(e.Key ?? "", out var value);
            var values = e.Values ?? [];
            var ok = e.OperatorProperty switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Map-form selectors (services, replication controllers): every pair must be present.</summary>
    public static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector != null && selector.All(kv => labels != null && labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
