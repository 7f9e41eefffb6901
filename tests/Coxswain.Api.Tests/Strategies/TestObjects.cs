using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.Api.Resources.Strategies;
using Coxswain.Api.Serialization;
using Coxswain.Api.Validation;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Tests.Strategies;

/// <summary>Builds API objects from YAML and compares them as JSON, the way a client sees them.</summary>
internal static class TestObjects
{
    public static T From<T>(string yaml)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        (T)ObjectCodec.FromNode(YamlToJson.Parse(Encoding.UTF8.GetBytes(yaml)), typeof(T));

    public static JsonNode Node(string yaml) => YamlToJson.Parse(Encoding.UTF8.GetBytes(yaml));

    /// <summary>Asserts that the object serializes to exactly the expected YAML document (key order ignored).</summary>
    public static void AssertJson(string expectedYaml, object actual)
    {
        var expected = Node(expectedYaml);
        var got = ObjectJson.ToNode(actual);
        Assert.True(JsonNode.DeepEquals(expected, got),
            $"expected:\n{Canonical(expected)}\nactual:\n{Canonical(got)}");
    }

    public static string Canonical(JsonNode? node) => Sort(node)?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sort).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    /// <summary>Defaults an object as the API server does on create (defaulting, then the create preparation).</summary>
    public static T Created<T>(string group, string yaml, string? uid = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var obj = From<T>(yaml);
        var strategy = ResourceStrategies.For(group, obj.Kind);
        strategy.Default(obj);
        if (uid != null)
        {
            obj.Metadata.Uid = uid;
        }
        (strategy as IPrepareForCreate)?.PrepareForCreate(obj);
        return obj;
    }

    public static List<string> CreateErrors<T>(string group, string yaml, string? uid = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var obj = Created<T>(group, yaml, uid);
        return Strings(ResourceStrategies.For(group, obj.Kind).ValidateCreate(obj));
    }

    /// <summary>Errors of updating <paramref name="oldYaml"/> (created and defaulted) to <paramref name="newYaml"/> (defaulted).</summary>
    public static List<string> UpdateErrors<T>(string group, string oldYaml, string newYaml, string? uid = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var old = Created<T>(group, oldYaml, uid);
        var obj = From<T>(newYaml);
        var strategy = ResourceStrategies.For(group, obj.Kind);
        strategy.Default(obj);
        if (uid != null)
        {
            obj.Metadata.Uid = uid;
        }
        (strategy as IPrepareForUpdate)?.PrepareForUpdate(obj, old);
        return Strings(strategy.ValidateUpdate(obj, old));
    }

    /// <summary>Errors of an edit: the created object is read back, changed by <paramref name="edit"/> and written.</summary>
    public static List<string> EditErrors<T>(string group, string yaml, Action<T> edit, string? uid = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var old = Created<T>(group, yaml, uid);
        var obj = ObjectJson.Clone(old);
        edit(obj);
        var strategy = ResourceStrategies.For(group, obj.Kind);
        strategy.Default(obj);
        (strategy as IPrepareForUpdate)?.PrepareForUpdate(obj, old);
        return Strings(strategy.ValidateUpdate(obj, old));
    }

    public static List<string> Strings(IEnumerable<FieldError> errors) => errors.Select(e => e.ToString()).ToList();

    /// <summary>Compares error lists as one text, so a failure shows the whole differing message.</summary>
    public static void SameErrors(IEnumerable<string> expected, IEnumerable<string> actual) =>
        Assert.Equal(string.Join("\n", expected), string.Join("\n", actual));
}
