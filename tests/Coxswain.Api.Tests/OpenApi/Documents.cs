using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Api.OpenApi;
using Coxswain.Api.Resources;

namespace Coxswain.Api.Tests.OpenApi;

/// <summary>
/// ModelSchemas publishes a type's schema before its properties are filled in, so a first use
/// racing another thread can see a partial schema; these tests build schemas and run alone.
/// </summary>
[CollectionDefinition(Documents.Collection, DisableParallelization = true)]
public sealed class OpenApiCollection
{
}

/// <summary>The documents of the default catalog, built once for all tests, and JSON helpers.</summary>
internal static class Documents
{
    public const string Collection = "OpenApi";

    private static readonly Lazy<OpenApiDocuments> Built = new(() => new OpenApiDocuments(ResourceCatalog.Default, "v1.32.4"));

    public static OpenApiDocuments Shared => Built.Value;

    public static JsonObject V2 => (JsonObject)JsonNode.Parse(Shared.V2)!;

    public static JsonObject V3(string key)
    {
        Assert.True(Shared.TryGetV3(key, out var json, out _), $"no v3 document {key}");
        return (JsonObject)JsonNode.Parse(json)!;
    }

    /// <summary>Every "$ref" string anywhere under a node.</summary>
    public static IEnumerable<string> Refs(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && value is JsonValue v && v.TryGetValue<string>(out var r))
                    {
                        yield return r;
                    }
                    foreach (var nested in Refs(value))
                    {
                        yield return nested;
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var nested in Refs(item))
                    {
                        yield return nested;
                    }
                }
                break;
        }
    }

    public static string? Str(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static bool HasGvk(JsonNode? extension, string group, string version, string kind) => extension switch
    {
        JsonArray list => list.Any(e => HasGvk(e, group, version, kind)),
        JsonObject gvk => Str(gvk["group"]) == group && Str(gvk["version"]) == version && Str(gvk["kind"]) == kind && gvk.Count == 3,
        _ => false,
    };
}
