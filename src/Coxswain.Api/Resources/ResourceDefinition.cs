using k8s;
using k8s.Models;

namespace Coxswain.Api.Resources;

/// <summary>How an object's metadata.name is validated (upstream's ValidateNameFunc choices).</summary>
public enum NameRule
{
    /// <summary>DNS-1123 subdomain: most kinds.</summary>
    Subdomain,
    /// <summary>DNS-1123 label: namespaces.</summary>
    Label,
    /// <summary>DNS-1035 label: services.</summary>
    Rfc1035Label,
    /// <summary>Any path segment (no '/', '%', '.' or '..'): RBAC roles and bindings.</summary>
    PathSegment,
}

/// <summary>
/// One served resource (group, version, kind). Everything the API server needs to know about a
/// kind is here; the optional per-kind behaviour (defaulting, validation, printing, field
/// selectors) is looked up by group and kind, so adding a kind is one catalog entry.
/// </summary>
public sealed class ResourceDefinition
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public required bool Namespaced { get; init; }
    public required Type ModelType { get; init; }
    public required Type ListModelType { get; init; }
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Subresources served besides the main resource: "status", "scale", "binding", ...</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];

    /// <summary>Verbs served; all of them unless the kind says otherwise.</summary>
    public IReadOnlyList<string> Verbs { get; init; } =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>metadata.generation starts at 1 and is bumped when the spec changes.</summary>
    public bool TracksGeneration { get; init; }

    public NameRule NameRule { get; init; } = NameRule.Subdomain;

    /// <summary>
    /// The group/resource under which objects are stored: the same for every version of a kind
    /// (e.g. "autoscaling/horizontalpodautoscalers" for autoscaling v1 and v2).
    /// </summary>
    public string StorageResource => StorageResourceOverride ?? (Group.Length == 0 ? Plural : $"{Group}/{Plural}");

    public string? StorageResourceOverride { get; init; }

    /// <summary>Converts between this version and the stored version, when they differ.</summary>
    public IVersionConverter? Converter { get; init; }

    public string Singular => Kind.ToLowerInvariant();
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string GroupVersion => ApiVersion;

    /// <summary>"deployments.apps" / "pods": how upstream names a resource in messages.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public bool HasStatus => Subresources.Contains("status");
    public bool HasScale => Subresources.Contains("scale");

    public override string ToString() => $"{ApiVersion}, Kind={Kind} ({Plural})";

    /// <summary>A new empty object of this kind with apiVersion and kind set.</summary>
    public IKubernetesObject<V1ObjectMeta> NewObject()
    {
        var obj = (IKubernetesObject<V1ObjectMeta>)Activator.CreateInstance(ModelType)!;
        obj.ApiVersion = ApiVersion;
        obj.Kind = Kind;
        obj.Metadata = new V1ObjectMeta();
        return obj;
    }
}

/// <summary>Converts objects between a served version and the stored version of the same kind.</summary>
public interface IVersionConverter
{
    /// <summary>The definition whose model is what gets stored.</summary>
    ResourceDefinition StorageVersion { get; }

    IKubernetesObject<V1ObjectMeta> ToStorage(IKubernetesObject<V1ObjectMeta> served);
    IKubernetesObject<V1ObjectMeta> FromStorage(IKubernetesObject<V1ObjectMeta> stored);
}
