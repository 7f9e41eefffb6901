using System.Text;
using System.Text.Json.Nodes;
using Coxswain.Api.Serialization;

namespace Coxswain.Api.Tests.Patching;

/// <summary>Parsing and exact comparison of JSON in tests (object key order ignored, array order kept).</summary>
internal static class TestJson
{
    public static JsonNode J(string json) => JsonNode.Parse(json)!;

    public static JsonNode? Y(string? yaml) => yaml == null ? null : YamlToJson.Parse(Encoding.UTF8.GetBytes(yaml));

    public static JsonObject O(string json) => (JsonObject)J(json);

    public static string Canon(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(node, sb);
        return sb.ToString();
    }

    private static void Write(JsonNode? node, StringBuilder sb)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                sb.Append('{');
                sb.AppendJoin(',', obj.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
                {
                    var inner = new StringBuilder();
                    Write(kv.Value, inner);
                    return JsonValue.Create(kv.Key).ToJsonString() + ":" + inner;
                }));
                sb.Append('}');
                break;
            case JsonArray array:
                sb.Append('[');
                sb.AppendJoin(',', array.Select(Canon));
                sb.Append(']');
                break;
            default:
                sb.Append(node.ToJsonString());
                break;
        }
    }

    public static void Equal(JsonNode? expected, JsonNode? actual) => Assert.Equal(Canon(expected), Canon(actual));

    public static void Equal(string expectedJson, JsonNode? actual) => Equal(J(expectedJson), actual);
}
