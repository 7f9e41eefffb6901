using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Api.Serialization;
using k8s.Models;

namespace Coxswain.Api.Validation;

/// <summary>
/// JSON views of API objects for validation: semantic equality (what upstream's
/// apiequality.Semantic.DeepEqual decides, compared on the wire form), deep copies, and the
/// rendering of bad values in field errors (upstream prints them as JSON since v1.34).
/// </summary>
public static class ObjectJson
{
    /// <summary>The object as the API serializes it (nulls omitted, quantities canonical).</summary>
    public static JsonNode? ToNode(object? value) =>
        value == null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), ObjectCodec.Options);

    /// <summary>True when both values serialize to the same JSON.</summary>
    public static bool SemanticEquals(object? a, object? b) => JsonNode.DeepEquals(ToNode(a), ToNode(b));

    /// <summary>A deep copy through the API serializer.</summary>
    public static T Clone<T>(T value)
        where T : class =>
        (T)JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), ObjectCodec.Options), value.GetType(), ObjectCodec.Options)!;

    /// <summary>
    /// The form in which a bad value is shown in a field error: scalars as themselves, quantities
    /// and int-or-strings as their string or number, maps (sorted by key, like Go) and objects as JSON.
    /// </summary>
    public static object? Shown(object? value) => value switch
    {
        null => null,
        string or bool or int or long or double => value,
        IntOrString ios => IntOrStrings.IsInt(ios, out var i) ? i : ios.Value,
        ResourceQuantity q => q.ToString(),
        IDictionary<string, string> map => SortedMap(map),
        IEnumerable<string> list => new JsonArray(list.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
        IEnumerable and not string => ToNode(value),
        _ => ToNode(value),
    };

    private static JsonObject SortedMap(IDictionary<string, string> map)
    {
        var o = new JsonObject();
        foreach (var k in map.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            o[k] = map[k];
        }
        return o;
    }
}

/// <summary>Helpers for the official model's IntOrString, which keeps both kinds as a string.</summary>
public static class IntOrStrings
{
    /// <summary>
    /// True when the value is an integer. The model cannot tell <c>1</c> from <c>"1"</c>; both count as integers.
    /// </summary>
    public static bool IsInt(IntOrString? value, out int result)
    {
        result = 0;
        return value?.Value != null
            && int.TryParse(value.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
    }

    /// <summary>True when unset, 0 or the empty string.</summary>
    public static bool IsZeroOrEmpty(IntOrString? value) =>
        value?.Value == null || value.Value.Length == 0 || (IsInt(value, out var i) && i == 0);

    /// <summary>
    /// The integer or percentage value: <c>25</c> for both <c>25</c> and <c>"25%"</c>; 0 when it is neither.
    /// </summary>
    public static int IntOrPercentValue(IntOrString? value)
    {
        if (IsInt(value, out var i))
        {
            return i;
        }
        var s = value?.Value;
        if (s != null && ValidationRules.IsValidPercent(s).Count == 0
            && int.TryParse(s.AsSpan(0, s.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
        {
            return p;
        }
        return 0;
    }

    /// <summary>The percentage when the value is a valid percent string.</summary>
    public static bool IsPercent(IntOrString? value, out int percent)
    {
        percent = 0;
        var s = value?.Value;
        return s != null && !IsInt(value, out _) && ValidationRules.IsValidPercent(s).Count == 0
            && int.TryParse(s.AsSpan(0, s.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out percent);
    }
}
