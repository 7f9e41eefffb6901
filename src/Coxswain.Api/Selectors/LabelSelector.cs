using Coxswain.Api.Errors;
using k8s.Models;

namespace Coxswain.Api.Selectors;

/// <summary>
/// A parsed label selector in upstream's string syntax (<c>a=b,c!=d,e in (f,g),!h</c>), or the
/// selector of a <see cref="V1LabelSelector"/>. Requirements are ANDed and kept sorted by key, so
/// <see cref="ToString"/> gives upstream's canonical form.
/// </summary>
public sealed class LabelSelector
{
    /// <summary>Null for <see cref="Nothing"/>.</summary>
    private readonly LabelRequirement[]? _requirements;

    private LabelSelector(LabelRequirement[]? requirements)
    {
        _requirements = requirements;
    }

    /// <summary>Matches every object (the empty selector).</summary>
    public static readonly LabelSelector Everything = new([]);

    /// <summary>Matches no object (what a nil <see cref="V1LabelSelector"/> selects).</summary>
    public static readonly LabelSelector Nothing = new(null);

    /// <summary>Parses a selector; throws <see cref="ApiException"/> (400 BadRequest) on bad syntax.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Everything;
        }
        var requirements = LabelSelectorParser.Parse(text);
        return requirements.Count == 0 ? Everything : Sorted(requirements);
    }

    /// <summary>
    /// Upstream's LabelSelectorAsSelector: nil selects nothing, an empty selector everything;
    /// matchLabels become <c>k=v</c>, matchExpressions In/NotIn/Exists/DoesNotExist. Throws
    /// <see cref="ApiException"/> (400 BadRequest) when a key, value or operator is invalid.
    /// </summary>
    public static LabelSelector FromLabelSelector(V1LabelSelector? selector)
    {
        if (!TryFromLabelSelector(selector, out var result, out var error))
        {
            throw ApiException.BadRequest(error!);
        }
        return result;
    }

    /// <summary>As <see cref="FromLabelSelector"/>, reporting an invalid selector instead of throwing.</summary>
    public static bool TryFromLabelSelector(V1LabelSelector? selector, out LabelSelector result, out string? error)
    {
        error = null;
        if (selector == null)
        {
            result = Nothing;
            return true;
        }
        var matchLabels = selector.MatchLabels;
        var matchExpressions = selector.MatchExpressions;
        if ((matchLabels?.Count ?? 0) + (matchExpressions?.Count ?? 0) == 0)
        {
            result = Everything;
            return true;
        }

        result = Nothing;
        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in matchLabels ?? new Dictionary<string, string>())
        {
            var r = LabelRequirement.Create(key, LabelOperator.Equals, [value ?? ""], null, out error);
            if (error != null)
            {
                return false;
            }
            requirements.Add(r);
        }
        foreach (var expr in matchExpressions ?? [])
        {
            LabelOperator op;
            switch (expr.OperatorProperty)
            {
                case "In": op = LabelOperator.In; break;
                case "NotIn": op = LabelOperator.NotIn; break;
                case "Exists": op = LabelOperator.Exists; break;
                case "DoesNotExist": op = LabelOperator.DoesNotExist; break;
                default:
                    error = $"{LabelValidation.GoQuote(expr.OperatorProperty ?? "")} is not a valid label selector operator";
                    return false;
            }
            var r = LabelRequirement.Create(expr.Key ?? "", op, expr.Values?.ToList(), null, out error);
            if (error != null)
            {
                return false;
            }
            requirements.Add(r);
        }
        result = Sorted(requirements);
        return true;
    }

    /// <summary>
    /// A selector matching exactly the given labels (upstream's SelectorFromSet, no validation):
    /// what a Service or ReplicationController selector map means. Null or empty selects everything.
    /// </summary>
    public static LabelSelector FromSet(IDictionary<string, string>? labels)
    {
        if (labels == null || labels.Count == 0)
        {
            return Everything;
        }
        var requirements = new List<LabelRequirement>(labels.Count);
        foreach (var (key, value) in labels)
        {
            requirements.Add(LabelRequirement.Create(key, LabelOperator.Equals, [value ?? ""], null, out _));
        }
        return Sorted(requirements);
    }

    private static LabelSelector Sorted(List<LabelRequirement> requirements) =>
        new(requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray());

    /// <summary>True when the selector does not restrict anything.</summary>
    public bool IsEverything => _requirements is { Length: 0 };

    /// <summary>True when the selector matches no object at all.</summary>
    public bool IsNothing => _requirements is null;

    /// <summary>The requirements, sorted by key (empty for both Everything and Nothing).</summary>
    public IReadOnlyList<LabelRequirement> Requirements => _requirements ?? [];

    public bool Matches(IDictionary<string, string>? labels)
    {
        if (_requirements == null)
        {
            return false;
        }
        foreach (var r in _requirements)
        {
            if (!r.Matches(labels))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Upstream's RequiresExactMatch: the value the selector's first requirement on
    /// <paramref name="key"/> demands (=, == or in with one value), if any.
    /// </summary>
    public bool TryGetExactMatch(string key, out string value)
    {
        foreach (var r in Requirements)
        {
            if (r.Key != key)
            {
                continue;
            }
            if (r.Operator is LabelOperator.Equals or LabelOperator.DoubleEquals or LabelOperator.In && r.Values.Count == 1)
            {
                value = r.Values[0];
                return true;
            }
            break;
        }
        value = "";
        return false;
    }

    /// <summary>Upstream's canonical string (requirements sorted by key, joined with <c>,</c>); empty for Everything and Nothing.</summary>
    public override string ToString() => _requirements == null ? "" : string.Join(",", _requirements.Select(r => r.ToString()));
}
