using k8s.Models;

namespace Coxswain.Client.Cache;

/// <summary>
/// Matches labels against a <see cref="V1LabelSelector"/> (matchLabels and matchExpressions with In, NotIn, Exists,
/// DoesNotExist), the selector controllers read from their objects' specs.
/// </summary>
public static class LabelSelectors
{
    /// <summary>
    /// True when <paramref name="labels"/> satisfy the selector. A null selector matches nothing and an empty one
    /// matches everything, as in metav1.LabelSelectorAsSelector.
    /// </summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector == null)
        {
            return false;
        }
        labels ??= new Dictionary<string, string>();
        if (selector.MatchLabels != null)
        {
            foreach (var (k, v) in selector.MatchLabels)
            {
                if (!labels.TryGetValue(k, out var actual) || actual != v)
                {
                    return false;
                }
            }
        }
        if (selector.MatchExpressions != null)
        {
            foreach (var e in selector.MatchExpressions)
            {
                var has = labels.TryGetValue(e.Key, out var actual);
                var ok = e.OperatorProperty switch
                {
                    "In" => has && e.Values != null && e.Values.Contains(actual!),
                    "NotIn" => !has || e.Values == null || !e.Values.Contains(actual!),
                    "Exists" => has,
                    "DoesNotExist" => !has,
                    _ => false,
                };
                if (!ok)
                {
                    return false;
                }
            }
        }
        return true;
    }
}
