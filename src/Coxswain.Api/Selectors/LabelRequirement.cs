using System.Globalization;
using System.Text;

namespace Coxswain.Api.Selectors;

/// <summary>The operators of a label requirement (upstream's selection.Operator).</summary>
public enum LabelOperator
{
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// <summary>
/// One requirement of a label selector: a key, an operator and (for most operators) values.
/// Built only through <see cref="LabelSelector"/>, which validates it as upstream's
/// NewRequirement does.
/// </summary>
public sealed class LabelRequirement
{
    private readonly string[] _values;

    private LabelRequirement(string key, LabelOperator op, string[] values)
    {
        Key = key;
        Operator = op;
        _values = values;
    }

    public string Key { get; }
    public LabelOperator Operator { get; }

    /// <summary>The values, in the order given (<see cref="ToString"/> prints them sorted).</summary>
    public IReadOnlyList<string> Values => _values;

    /// <summary>
    /// Upstream's NewRequirement: validates the key, the number of values for the operator and
    /// each value; returns the aggregated field-error text, or null when valid.
    /// </summary>
    internal static LabelRequirement Create(string key, LabelOperator op, IReadOnlyList<string>? values, string? path, out string? error)
    {
        var vals = values?.ToArray() ?? [];
        var errs = new List<string>();
        var keyErrs = LabelValidation.IsLabelKey(key);
        if (keyErrs.Count > 0)
        {
            errs.Add(Invalid(Child(path, "key"), LabelValidation.GoQuote(key), string.Join("; ", keyErrs)));
        }

        var valuePath = Child(path, "values");
        switch (op)
        {
            case LabelOperator.In or LabelOperator.NotIn:
                if (vals.Length == 0)
                {
                    errs.Add(Invalid(valuePath, LabelValidation.GoStringSlice(null), "for 'in', 'notin' operators, values set can't be empty"));
                }
                break;
            case LabelOperator.Equals or LabelOperator.DoubleEquals or LabelOperator.NotEquals:
                if (vals.Length != 1)
                {
                    errs.Add(Invalid(valuePath, LabelValidation.GoStringSlice(vals), "exact-match compatibility requires one single value"));
                }
                break;
            case LabelOperator.Exists or LabelOperator.DoesNotExist:
                if (vals.Length != 0)
                {
                    errs.Add(Invalid(valuePath, LabelValidation.GoStringSlice(vals), "values set must be empty for exists and does not exist"));
                }
                break;
            case LabelOperator.GreaterThan or LabelOperator.LessThan:
                if (vals.Length != 1)
                {
                    errs.Add(Invalid(valuePath, LabelValidation.GoStringSlice(vals), "for 'Gt', 'Lt' operators, exactly one value is required"));
                }
                for (var i = 0; i < vals.Length; i++)
                {
                    if (!long.TryParse(vals[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    {
                        errs.Add(Invalid($"{valuePath}[{i}]", LabelValidation.GoQuote(vals[i]), "for 'Gt', 'Lt' operators, the value must be an integer"));
                    }
                }
                break;
        }

        for (var i = 0; i < vals.Length; i++)
        {
            var valueErrs = LabelValidation.IsLabelValue(vals[i]);
            if (valueErrs.Count > 0)
            {
                errs.Add(Invalid($"{valuePath}[{i}][{key}]", LabelValidation.GoQuote(vals[i]), string.Join("; ", valueErrs)));
            }
        }

        error = Aggregate(errs);
        return new LabelRequirement(key, op, vals);
    }

    /// <summary>A field.Invalid error printed as upstream's field.Error.Error().</summary>
    internal static string Invalid(string field, string quotedValue, string detail) => $"{field}: Invalid value: {quotedValue}: {detail}";

    private static string Child(string? path, string name) => path is null ? name : path + "." + name;

    /// <summary>utilerrors.Aggregate.Error(): one message as is, several de-duplicated in brackets.</summary>
    internal static string? Aggregate(List<string> errs)
    {
        if (errs.Count == 0)
        {
            return null;
        }
        if (errs.Count == 1)
        {
            return errs[0];
        }
        var seen = errs.Distinct(StringComparer.Ordinal).ToList();
        return seen.Count == 1 ? seen[0] : "[" + string.Join(", ", seen) + "]";
    }

    public bool Matches(IDictionary<string, string>? labels)
    {
        string? value = null;
        var has = labels != null && labels.TryGetValue(Key, out value);
        switch (Operator)
        {
            case LabelOperator.In or LabelOperator.Equals or LabelOperator.DoubleEquals:
                return has && HasValue(value!);
            case LabelOperator.NotIn or LabelOperator.NotEquals:
                return !has || !HasValue(value!);
            case LabelOperator.Exists:
                return has;
            case LabelOperator.DoesNotExist:
                return !has;
            case LabelOperator.GreaterThan or LabelOperator.LessThan:
                if (!has || _values.Length != 1 ||
                    !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var actual) ||
                    !long.TryParse(_values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound))
                {
                    return false;
                }
                return Operator == LabelOperator.GreaterThan ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    private bool HasValue(string value)
    {
        foreach (var v in _values)
        {
            if (string.Equals(v, value, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Upstream's canonical form: <c>k=v</c>, <c>k in (a,b)</c>, <c>!k</c>, values sorted.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Operator == LabelOperator.DoesNotExist)
        {
            sb.Append('!');
        }
        sb.Append(Key);
        switch (Operator)
        {
            case LabelOperator.Equals: sb.Append('='); break;
            case LabelOperator.DoubleEquals: sb.Append("=="); break;
            case LabelOperator.NotEquals: sb.Append("!="); break;
            case LabelOperator.In: sb.Append(" in "); break;
            case LabelOperator.NotIn: sb.Append(" notin "); break;
            case LabelOperator.GreaterThan: sb.Append('>'); break;
            case LabelOperator.LessThan: sb.Append('<'); break;
            default: return sb.ToString();
        }
        var set = Operator is LabelOperator.In or LabelOperator.NotIn;
        if (set)
        {
            sb.Append('(');
        }
        if (_values.Length == 1)
        {
            sb.Append(_values[0]);
        }
        else
        {
            var sorted = (string[])_values.Clone();
            Array.Sort(sorted, StringComparer.Ordinal);
            sb.Append(string.Join(",", sorted));
        }
        if (set)
        {
            sb.Append(')');
        }
        return sb.ToString();
    }
}
