using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coxswain.Api.Patching;

/// <summary>The JSON kinds the patch code distinguishes (integers and floats apart, as Go decodes them).</summary>
internal enum JsonKind
{
    Null,
    Object,
    Array,
    String,
    Integer,
    Float,
    Bool,
}

/// <summary>
/// Helpers over <see cref="JsonNode"/> shared by the patch implementations: kinds, the two
/// equalities upstream uses (Go's interface equality for strategic merge patch, numeric equality
/// for structured-merge-diff), and Go-style formatting for error messages.
/// </summary>
internal static class JsonValues
{
    public static JsonKind Kind(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return JsonKind.Null;
            case JsonObject:
                return JsonKind.Object;
            case JsonArray:
                return JsonKind.Array;
        }
        var value = (JsonValue)node;
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return JsonKind.String;
            case JsonValueKind.True:
            case JsonValueKind.False:
                return JsonKind.Bool;
            case JsonValueKind.Number:
                return IsIntegerText(value.ToJsonString()) ? JsonKind.Integer : JsonKind.Float;
            default:
                return JsonKind.Null;
        }
    }

    public static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    private static bool IsIntegerText(string text)
    {
        foreach (var c in text)
        {
            if (c is '.' or 'e' or 'E')
            {
                return false;
            }
        }
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
    }

    public static string Str(JsonNode node) => node.GetValue<string>();

    public static long Int(JsonNode node) => long.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    public static double Float(JsonNode node) => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    public static bool Bool(JsonNode node) => node.GetValue<bool>();

    /// <summary>
    /// Go's <c>==</c> on decoded JSON (int64 and float64 are different types) extended to a deep
    /// comparison for objects and arrays, which Go would refuse to compare.
    /// </summary>
    public static bool GoEquals(JsonNode? a, JsonNode? b)
    {
        var ka = Kind(a);
        if (ka != Kind(b))
        {
            return false;
        }
        return ka switch
        {
            JsonKind.Null => true,
            JsonKind.String => Str(a!) == Str(b!),
            JsonKind.Bool => Bool(a!) == Bool(b!),
            JsonKind.Integer => Int(a!) == Int(b!),
            JsonKind.Float => Float(a!).Equals(Float(b!)),
            JsonKind.Array => ArraysEqual((JsonArray)a!, (JsonArray)b!, GoEquals),
            _ => ObjectsEqual((JsonObject)a!, (JsonObject)b!, GoEquals),
        };
    }

    /// <summary>Structured-merge-diff's value equality: numbers compare numerically across int and float.</summary>
    public static bool ValueEquals(JsonNode? a, JsonNode? b)
    {
        var ka = Kind(a);
        var kb = Kind(b);
        if (ka is JsonKind.Integer or JsonKind.Float && kb is JsonKind.Integer or JsonKind.Float)
        {
            return ka == JsonKind.Integer && kb == JsonKind.Integer ? Int(a!) == Int(b!) : Float(a!).Equals(Float(b!));
        }
        if (ka != kb)
        {
            return false;
        }
        return ka switch
        {
            JsonKind.Null => true,
            JsonKind.String => Str(a!) == Str(b!),
            JsonKind.Bool => Bool(a!) == Bool(b!),
            JsonKind.Array => ArraysEqual((JsonArray)a!, (JsonArray)b!, ValueEquals),
            _ => ObjectsEqual((JsonObject)a!, (JsonObject)b!, ValueEquals),
        };
    }

    private static bool ArraysEqual(JsonArray a, JsonArray b, Func<JsonNode?, JsonNode?, bool> eq)
    {
        if (a.Count != b.Count)
        {
            return false;
        }
        for (var i = 0; i < a.Count; i++)
        {
            if (!eq(a[i], b[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static bool ObjectsEqual(JsonObject a, JsonObject b, Func<JsonNode?, JsonNode?, bool> eq)
    {
        if (a.Count != b.Count)
        {
            return false;
        }
        foreach (var (key, value) in a)
        {
            if (!b.TryGetPropertyValue(key, out var other) || !eq(value, other))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Go's <c>%v</c> of a decoded JSON value: <c>map[a:1 b:[x y]]</c>, <c>&lt;nil&gt;</c>, ...</summary>
    public static string GoFormat(JsonNode? node)
    {
        var sb = new StringBuilder();
        GoFormat(node, sb);
        return sb.ToString();
    }

    private static void GoFormat(JsonNode? node, StringBuilder sb)
    {
        switch (Kind(node))
        {
            case JsonKind.Null:
                sb.Append("<nil>");
                break;
            case JsonKind.String:
                sb.Append(Str(node!));
                break;
            case JsonKind.Bool:
                sb.Append(Bool(node!) ? "true" : "false");
                break;
            case JsonKind.Integer:
                sb.Append(Int(node!).ToString(CultureInfo.InvariantCulture));
                break;
            case JsonKind.Float:
                sb.Append(GoFloat(Float(node!)));
                break;
            case JsonKind.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in (JsonArray)node!)
                {
                    if (!first)
                    {
                        sb.Append(' ');
                    }
                    first = false;
                    GoFormat(item, sb);
                }
                sb.Append(']');
                break;
            default:
                sb.Append("map[");
                var firstKey = true;
                foreach (var (key, value) in ((JsonObject)node!).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (!firstKey)
                    {
                        sb.Append(' ');
                    }
                    firstKey = false;
                    sb.Append(key).Append(':');
                    GoFormat(value, sb);
                }
                sb.Append(']');
                break;
        }
    }

    /// <summary>Go's <c>%v</c> of a float64 (strconv 'g' with the shortest digits, exponent from 1e21 or below 1e-4).</summary>
    public static string GoFloat(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }
        if (double.IsInfinity(d))
        {
            return d > 0 ? "+Inf" : "-Inf";
        }
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var exp = r.IndexOf('E');
        if (exp < 0)
        {
            return r;
        }
        var mantissa = r[..exp];
        var power = int.Parse(r[(exp + 1)..], CultureInfo.InvariantCulture);
        return mantissa + "e" + (power < 0 ? "-" : "+") + Math.Abs(power).ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary>The Go type name of a decoded JSON value, as <c>reflect.TypeOf(v)</c> prints it.</summary>
    public static string GoTypeName(JsonNode? node) => Kind(node) switch
    {
        JsonKind.Null => "%!s(<nil>)",
        JsonKind.Object => "map[string]interface {}",
        JsonKind.Array => "[]interface {}",
        JsonKind.String => "string",
        JsonKind.Integer => "int64",
        JsonKind.Float => "float64",
        _ => "bool",
    };

    /// <summary>The JSON type word Go's decoder uses in "cannot unmarshal X into ...".</summary>
    public static string GoJsonTypeWord(JsonNode? node) => Kind(node) switch
    {
        JsonKind.Null => "null",
        JsonKind.Object => "object",
        JsonKind.Array => "array",
        JsonKind.String => "string",
        JsonKind.Bool => "bool",
        _ => "number",
    };

    /// <summary>Compact JSON the way Go's encoding/json writes it: object keys sorted, HTML characters escaped.</summary>
    public static string GoJson(JsonNode? node)
    {
        var sb = new StringBuilder();
        GoJson(node, sb);
        return sb.ToString();
    }

    private static void GoJson(JsonNode? node, StringBuilder sb)
    {
        switch (Kind(node))
        {
            case JsonKind.Null:
                sb.Append("null");
                break;
            case JsonKind.String:
                GoQuote(Str(node!), sb);
                break;
            case JsonKind.Bool:
                sb.Append(Bool(node!) ? "true" : "false");
                break;
            case JsonKind.Integer:
                sb.Append(Int(node!).ToString(CultureInfo.InvariantCulture));
                break;
            case JsonKind.Float:
                sb.Append(node!.ToJsonString());
                break;
            case JsonKind.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in (JsonArray)node!)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    GoJson(item, sb);
                }
                sb.Append(']');
                break;
            default:
                sb.Append('{');
                var firstKey = true;
                foreach (var (key, value) in ((JsonObject)node!).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (!firstKey)
                    {
                        sb.Append(',');
                    }
                    firstKey = false;
                    GoQuote(key, sb);
                    sb.Append(':');
                    GoJson(value, sb);
                }
                sb.Append('}');
                break;
        }
    }

    /// <summary>A JSON string literal with Go's escaping (<c>&lt; &gt; &amp;</c> and U+2028/9 as \u escapes).</summary>
    public static void GoQuote(string s, StringBuilder sb)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }

    public static string GoQuote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        GoQuote(s, sb);
        return sb.ToString();
    }
}
