using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Coxswain.Api.Patching;

internal enum PathElementKind
{
    /// <summary><c>f:name</c>: a field of an object or a key of a map.</summary>
    Field,
    /// <summary><c>k:{"name":"x"}</c>: an element of a map-typed list, by its key fields.</summary>
    Key,
    /// <summary><c>v:"x"</c>: an element of a set-typed list, by its value.</summary>
    Value,
    /// <summary><c>i:0</c>: an element of a list by position.</summary>
    Index,
}

/// <summary>
/// One step of a field path, as structured-merge-diff's <c>fieldpath.PathElement</c>. Equality is
/// by the canonical serialized form (<c>f:</c>, <c>k:</c>, <c>v:</c>, <c>i:</c>); order is upstream's
/// (fields, then keys, then values, then indexes; each by name, key fields or value).
/// </summary>
internal sealed class PathElement : IEquatable<PathElement>, IComparable<PathElement>
{
    private PathElement(PathElementKind kind, string serialized)
    {
        Kind = kind;
        Serialized = serialized;
    }

    public PathElementKind Kind { get; }

    /// <summary>The field name (Field).</summary>
    public string? FieldName { get; private init; }

    /// <summary>The key fields sorted by name (Key).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>>? KeyFields { get; private init; }

    /// <summary>The value (Value).</summary>
    public JsonNode? Value { get; private init; }

    public int Index { get; private init; }

    /// <summary>The FieldsV1 form: <c>f:spec</c>, <c>k:{"name":"nginx"}</c>, <c>v:"x"</c>, <c>i:0</c>.</summary>
    public string Serialized { get; }

    public static PathElement Field(string name) => new(PathElementKind.Field, "f:" + name) { FieldName = name };

    public static PathElement Key(IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        var sorted = fields.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new KeyValuePair<string, JsonNode?>(f.Key, f.Value?.DeepClone()))
            .ToList();
        var sb = new StringBuilder("k:{");
        for (var i = 0; i < sorted.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            JsonValues.GoQuote(sorted[i].Key, sb);
            sb.Append(':').Append(JsonValues.GoJson(sorted[i].Value));
        }
        sb.Append('}');
        return new PathElement(PathElementKind.Key, sb.ToString()) { KeyFields = sorted };
    }

    public static PathElement ValueOf(JsonNode? value) =>
        new(PathElementKind.Value, "v:" + JsonValues.GoJson(value)) { Value = value?.DeepClone() };

    public static PathElement At(int index) =>
        new(PathElementKind.Index, "i:" + index.ToString(CultureInfo.InvariantCulture)) { Index = index };

    /// <summary>Parses a FieldsV1 key; null for prefixes upstream does not know (which it skips).</summary>
    public static PathElement? Parse(string s)
    {
        if (s.Length < 2 || s[1] != ':')
        {
            throw new FormatException($"unable to parse path element \"{s}\"");
        }
        var body = s[2..];
        switch (s[0])
        {
            case 'f':
                return Field(body);
            case 'v':
                return ValueOf(JsonNode.Parse(body));
            case 'i':
                return At(int.Parse(body, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            case 'k':
                var obj = JsonNode.Parse(body) as JsonObject ?? throw new FormatException($"key of \"{s}\" is not an object");
                return Key(obj.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value)));
            default:
                return null;
        }
    }

    public bool Equals(PathElement? other) => other is not null && other.Serialized == Serialized;

    public override bool Equals(object? obj) => Equals(obj as PathElement);

    public override int GetHashCode() => Serialized.GetHashCode(StringComparison.Ordinal);

    public int CompareTo(PathElement? other)
    {
        if (other is null)
        {
            return 1;
        }
        if (Kind != other.Kind)
        {
            return Kind.CompareTo(other.Kind);
        }
        switch (Kind)
        {
            case PathElementKind.Field:
                return string.CompareOrdinal(FieldName, other.FieldName);
            case PathElementKind.Key:
                var a = KeyFields!;
                var b = other.KeyFields!;
                for (var i = 0; ; i++)
                {
                    if (i >= a.Count || i >= b.Count)
                    {
                        return a.Count.CompareTo(b.Count);
                    }
                    var c = string.CompareOrdinal(a[i].Key, b[i].Key);
                    if (c != 0)
                    {
                        return c;
                    }
                    c = ValueOrder.Compare(a[i].Value, b[i].Value);
                    if (c != 0)
                    {
                        return c;
                    }
                }
            case PathElementKind.Value:
                return ValueOrder.Compare(Value, other.Value);
            default:
                return Index.CompareTo(other.Index);
        }
    }

    /// <summary>The human form used in conflict messages: <c>.spec</c>, <c>[name="nginx"]</c>, <c>[="x"]</c>, <c>[0]</c>.</summary>
    public override string ToString() => Kind switch
    {
        PathElementKind.Field => "." + FieldName,
        PathElementKind.Key => "[" + string.Join(",", KeyFields!.Select(k => k.Key + "=" + ValueOrder.ToGoString(k.Value))) + "]",
        PathElementKind.Value => "[=" + ValueOrder.ToGoString(Value) + "]",
        _ => "[" + Index.ToString(CultureInfo.InvariantCulture) + "]",
    };

    public static string PathString(IEnumerable<PathElement> path) => string.Concat(path.Select(p => p.ToString()));
}

/// <summary>structured-merge-diff's total order on values and its <c>value.ToString</c>.</summary>
internal static class ValueOrder
{
    /// <summary>Numbers (int and float compared numerically) &lt; strings &lt; bools &lt; lists &lt; maps &lt; null.</summary>
    public static int Compare(JsonNode? a, JsonNode? b)
    {
        var ra = Rank(a);
        var rb = Rank(b);
        if (ra != rb)
        {
            return ra.CompareTo(rb);
        }
        switch (ra)
        {
            case 0:
                var ka = JsonValues.Kind(a);
                var kb = JsonValues.Kind(b);
                if (ka == JsonKind.Integer && kb == JsonKind.Integer)
                {
                    return JsonValues.Int(a!).CompareTo(JsonValues.Int(b!));
                }
                return JsonValues.Float(a!).CompareTo(JsonValues.Float(b!));
            case 1:
                return string.CompareOrdinal(JsonValues.Str(a!), JsonValues.Str(b!));
            case 2:
                return JsonValues.Bool(a!).CompareTo(JsonValues.Bool(b!));
            case 3:
                var la = (JsonArray)a!;
                var lb = (JsonArray)b!;
                for (var i = 0; i < Math.Min(la.Count, lb.Count); i++)
                {
                    var c = Compare(la[i], lb[i]);
                    if (c != 0)
                    {
                        return c;
                    }
                }
                return la.Count.CompareTo(lb.Count);
            case 4:
                var ma = ((JsonObject)a!).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
                var mb = ((JsonObject)b!).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
                for (var i = 0; i < Math.Min(ma.Count, mb.Count); i++)
                {
                    var c = string.CompareOrdinal(ma[i].Key, mb[i].Key);
                    if (c != 0)
                    {
                        return c;
                    }
                    c = Compare(ma[i].Value, mb[i].Value);
                    if (c != 0)
                    {
                        return c;
                    }
                }
                return ma.Count.CompareTo(mb.Count);
            default:
                return 0;
        }
    }

    private static int Rank(JsonNode? v) => JsonValues.Kind(v) switch
    {
        JsonKind.Integer or JsonKind.Float => 0,
        JsonKind.String => 1,
        JsonKind.Bool => 2,
        JsonKind.Array => 3,
        JsonKind.Object => 4,
        _ => 5,
    };

    /// <summary>Strings quoted (Go's %q), numbers and bools bare, lists bracketed, null as "null".</summary>
    public static string ToGoString(JsonNode? v) => JsonValues.Kind(v) switch
    {
        JsonKind.Null => "null",
        JsonKind.String => JsonValues.GoQuote(JsonValues.Str(v!)),
        JsonKind.Integer => JsonValues.Int(v!).ToString(CultureInfo.InvariantCulture),
        JsonKind.Float => JsonValues.GoFloat(JsonValues.Float(v!)),
        JsonKind.Bool => JsonValues.Bool(v!) ? "true" : "false",
        JsonKind.Array => "[" + string.Join(",", ((JsonArray)v!).Select(ToGoString)) + "]",
        _ => string.Concat(((JsonObject)v!).Select(kv => kv.Key + "=" + ToGoString(kv.Value))),
    };
}
