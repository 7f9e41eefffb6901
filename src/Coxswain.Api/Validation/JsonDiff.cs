using System.Text;
using System.Text.Json.Nodes;

namespace Coxswain.Api.Validation;

/// <summary>
/// A short, readable difference between two objects, appended to upstream's "may not change
/// fields other than ..." messages (upstream prints a go-cmp diff; this prints the changed paths).
/// </summary>
public static class JsonDiff
{
    /// <summary>One line per changed leaf: <c>- spec.restartPolicy: "Always"</c> then <c>+ spec.restartPolicy: "Never"</c>.</summary>
    public static string Describe(object? oldValue, object? newValue, string root)
    {
        var sb = new StringBuilder();
        Walk(ObjectJson.ToNode(oldValue), ObjectJson.ToNode(newValue), root, sb);
        return sb.ToString().TrimEnd('\n');
    }

    private static void Walk(JsonNode? a, JsonNode? b, string path, StringBuilder sb)
    {
        if (JsonNode.DeepEquals(a, b))
        {
            return;
        }
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (var key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                Walk(oa[key], ob[key], path + "." + key, sb);
            }
            return;
        }
        if (a is JsonArray aa && b is JsonArray ab && aa.Count == ab.Count)
        {
            for (var i = 0; i < aa.Count; i++)
            {
                Walk(aa[i], ab[i], $"{path}[{i}]", sb);
            }
            return;
        }
        if (a != null)
        {
            sb.Append("- ").Append(path).Append(": ").Append(a.ToJsonString()).Append('\n');
        }
        if (b != null)
        {
            sb.Append("+ ").Append(path).Append(": ").Append(b.ToJsonString()).Append('\n');
        }
    }
}
