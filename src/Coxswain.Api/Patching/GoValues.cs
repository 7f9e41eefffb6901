using System.Text.Json.Nodes;

namespace Coxswain.Api.Patching;

/// <summary>
/// A decoded JSON document shaped like Go's <c>map[string]interface{}</c> / <c>[]interface{}</c>:
/// mutable maps and lists whose scalars are detached <see cref="JsonValue"/>s and whose nulls are
/// C# nulls. Strategic merge patch is a port of Go code that mutates such trees freely; this shape
/// lets it do so without <see cref="JsonNode"/>'s single-parent rule.
/// </summary>
internal static class GoValues
{
    public static object? FromNode(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => FromObject(obj),
        JsonArray array => array.Select(FromNode).ToList(),
        _ => node.DeepClone(),
    };

    public static OrderedDictionary<string, object?> FromObject(JsonObject obj)
    {
        var map = new OrderedDictionary<string, object?>(obj.Count, StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            map[key] = FromNode(value);
        }
        return map;
    }

    public static JsonNode? ToNode(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case OrderedDictionary<string, object?> map:
                var obj = new JsonObject();
                foreach (var (key, v) in map)
                {
                    obj[key] = ToNode(v);
                }
                return obj;
            case List<object?> list:
                var array = new JsonArray();
                foreach (var v in list)
                {
                    array.Add(ToNode(v));
                }
                return array;
            default:
                return ((JsonNode)value).DeepClone();
        }
    }

    public static JsonKind Kind(object? value) => value switch
    {
        null => JsonKind.Null,
        OrderedDictionary<string, object?> => JsonKind.Object,
        List<object?> => JsonKind.Array,
        _ => JsonValues.Kind((JsonNode)value),
    };

    /// <summary>Go's <c>==</c> on interface values (scalars by type and value), deep for maps and lists.</summary>
    public static bool Equal(object? a, object? b)
    {
        var ka = Kind(a);
        if (ka != Kind(b))
        {
            return false;
        }
        switch (ka)
        {
            case JsonKind.Null:
                return true;
            case JsonKind.Object:
                var ma = (OrderedDictionary<string, object?>)a!;
                var mb = (OrderedDictionary<string, object?>)b!;
                return ma.Count == mb.Count && ma.All(kv => mb.TryGetValue(kv.Key, out var v) && Equal(kv.Value, v));
            case JsonKind.Array:
                var la = (List<object?>)a!;
                var lb = (List<object?>)b!;
                return la.Count == lb.Count && la.Zip(lb).All(p => Equal(p.First, p.Second));
            default:
                return JsonValues.GoEquals((JsonNode)a!, (JsonNode)b!);
        }
    }

    /// <summary>Go's <c>%v</c>.</summary>
    public static string Format(object? value) => JsonValues.GoFormat(ToNode(value));

    /// <summary>Go's <c>%s</c> (strings as is, other values as <c>%!s(type=value)</c>).</summary>
    public static string FormatS(object? value) => Kind(value) switch
    {
        JsonKind.String => JsonValues.Str((JsonNode)value!),
        JsonKind.Null => "%!s(<nil>)",
        JsonKind.Object or JsonKind.Array => Format(value),
        _ => $"%!s({TypeName(value)}={Format(value)})",
    };

    /// <summary>The Go type of the value as <c>reflect.TypeOf</c> prints it.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "%!s(<nil>)",
        OrderedDictionary<string, object?> => "map[string]interface {}",
        List<object?> => "[]interface {}",
        _ => JsonValues.GoTypeName((JsonNode)value),
    };
}
