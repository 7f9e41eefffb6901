using System.Text;
using Coxswain.Api.Errors;

namespace Coxswain.Api.Selectors;

/// <summary>One <c>field=value</c> (or <c>==</c>) or <c>field!=value</c> term of a field selector.</summary>
public sealed record FieldRequirement(string Field, bool Negated, string Value)
{
    /// <summary>A missing field compares as the empty string, as upstream's fields.Set does.</summary>
    public bool Matches(string? actual) => string.Equals(actual ?? "", Value, StringComparison.Ordinal) != Negated;

    /// <summary><c>field=value</c> or <c>field!=value</c> with the value escaped.</summary>
    public override string ToString() => Field + (Negated ? "!=" : "=") + FieldSelector.EscapeValue(Value);
}

/// <summary>
/// A parsed field selector (<c>metadata.name=x,status.phase!=Running</c>), as upstream's
/// fields.ParseSelector: comma-separated terms ANDed together, operators <c>=</c>, <c>==</c> and
/// <c>!=</c>, values escaped with <c>\</c> (<c>\,</c> <c>\=</c> <c>\\</c>).
/// </summary>
public sealed class FieldSelector
{
    private readonly FieldRequirement[] _requirements;

    private FieldSelector(FieldRequirement[] requirements)
    {
        _requirements = requirements;
    }

    public static readonly FieldSelector Everything = new([]);

    /// <summary>Parses a selector; throws <see cref="ApiException"/> (400 BadRequest) on bad syntax.</summary>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Everything;
        }
        var parts = SplitTerms(text);
        parts.Sort(StringComparer.Ordinal);
        var items = new List<FieldRequirement>();
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                continue;
            }
            if (!SplitTerm(part, out var lhs, out var op, out var rhs))
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");
            }
            items.Add(new FieldRequirement(lhs, op == "!=", UnescapeValue(rhs)));
        }
        return items.Count == 0 ? Everything : new FieldSelector(items.ToArray());
    }

    /// <summary>Builds a selector from terms (kept in the given order).</summary>
    public static FieldSelector Of(params FieldRequirement[] requirements) =>
        requirements.Length == 0 ? Everything : new FieldSelector((FieldRequirement[])requirements.Clone());

    public bool IsEverything => _requirements.Length == 0;

    public IReadOnlyList<FieldRequirement> Requirements => _requirements;

    /// <summary>The value a requirement asks metadata.name to equal, if any (lets a list become a get).</summary>
    public string? RequiredName => RequiresExactMatch("metadata.name");

    /// <summary>Upstream's RequiresExactMatch: the value of the first <c>field=value</c> term on the field.</summary>
    public string? RequiresExactMatch(string field)
    {
        foreach (var r in _requirements)
        {
            if (!r.Negated && r.Field == field)
            {
                return r.Value;
            }
        }
        return null;
    }

    /// <summary>
    /// Throws 400 BadRequest when a field is not one the kind supports. When the kind supports only
    /// metadata.name and metadata.namespace the wording is upstream's default conversion
    /// (<c>"foo" is not a known field selector: only "metadata.name", "metadata.namespace"</c>);
    /// otherwise it is <c>field label not supported: foo</c>. The exact per-kind wording (and
    /// label aliases such as Pod's spec.host) is in <see cref="FieldSelectors.Convert"/>.
    /// </summary>
    public void CheckSupported(IEnumerable<string> supportedFields, string kindDescription)
    {
        var supported = supportedFields as IReadOnlyCollection<string> ?? supportedFields.ToList();
        var onlyMetadata = supported.Count == 2 && supported.Contains("metadata.name") && supported.Contains("metadata.namespace");
        foreach (var r in _requirements)
        {
            if (!supported.Contains(r.Field))
            {
                throw ApiException.BadRequest(onlyMetadata
                    ? FieldSelectors.DefaultConversionError(r.Field)
                    : $"field label not supported: {r.Field}");
            }
        }
    }

    /// <summary>True when every term holds; <paramref name="fieldValue"/> returns null for a field the object lacks.</summary>
    public bool Matches(Func<string, string?> fieldValue)
    {
        foreach (var r in _requirements)
        {
            if (!r.Matches(fieldValue(r.Field)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Upstream's Selector.Transform: rewrites each term's field and value; a term mapped to an
    /// empty field and value is dropped. The function may throw to reject a term.
    /// </summary>
    public FieldSelector Transform(Func<string, string, (string Field, string Value)> fn)
    {
        var result = new List<FieldRequirement>(_requirements.Length);
        foreach (var r in _requirements)
        {
            var (field, value) = fn(r.Field, r.Value);
            if (field.Length == 0 && value.Length == 0)
            {
                continue;
            }
            result.Add(r with { Field = field, Value = value });
        }
        return result.Count == 0 ? Everything : new FieldSelector(result.ToArray());
    }

    /// <summary>Upstream's canonical string: the terms joined with <c>,</c>, values escaped.</summary>
    public override string ToString() => string.Join(",", _requirements.Select(r => r.ToString()));

    /// <summary>Escapes <c>\</c>, <c>,</c> and <c>=</c> in a value.</summary>
    public static string EscapeValue(string s) => s.Replace("\\", "\\\\").Replace(",", "\\,").Replace("=", "\\=");

    /// <summary>Undoes <see cref="EscapeValue"/>; throws 400 BadRequest on a bad escape or a bare <c>,</c>/<c>=</c>.</summary>
    public static string UnescapeValue(string s)
    {
        if (s.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            return s;
        }
        var sb = new StringBuilder(s.Length);
        var inSlash = false;
        foreach (var c in s)
        {
            if (inSlash)
            {
                if (c is not ('\\' or ',' or '='))
                {
                    throw ApiException.BadRequest($"invalid field selector: invalid escape sequence: \\{c}");
                }
                sb.Append(c);
                inSlash = false;
                continue;
            }
            switch (c)
            {
                case '\\':
                    inSlash = true;
                    break;
                case ',' or '=':
                    // Go prints the rune with %v, i.e. as its number.
                    throw ApiException.BadRequest($"invalid field selector: unescaped character in value: {(int)c}");
                default:
                    sb.Append(c);
                    break;
            }
        }
        if (inSlash)
        {
            throw ApiException.BadRequest("invalid field selector: invalid escape sequence: \\");
        }
        return sb.ToString();
    }

    /// <summary>Splits on commas not preceded by a backslash; escapes stay in the terms.</summary>
    private static List<string> SplitTerms(string selector)
    {
        var terms = new List<string>();
        var start = 0;
        var inSlash = false;
        for (var i = 0; i < selector.Length; i++)
        {
            var c = selector[i];
            if (inSlash)
            {
                inSlash = false;
            }
            else if (c == '\\')
            {
                inSlash = true;
            }
            else if (c == ',')
            {
                terms.Add(selector[start..i]);
                start = i + 1;
            }
        }
        terms.Add(selector[start..]);
        return terms;
    }

    /// <summary>Splits at the first operator (<c>!=</c>, then <c>==</c>, then <c>=</c> at each position).</summary>
    private static bool SplitTerm(string term, out string lhs, out string op, out string rhs)
    {
        for (var i = 0; i < term.Length; i++)
        {
            foreach (var candidate in (ReadOnlySpan<string>)["!=", "==", "="])
            {
                if (term.AsSpan(i).StartsWith(candidate, StringComparison.Ordinal))
                {
                    lhs = term[..i];
                    op = candidate;
                    rhs = term[(i + candidate.Length)..];
                    return true;
                }
            }
        }
        lhs = op = rhs = "";
        return false;
    }
}
