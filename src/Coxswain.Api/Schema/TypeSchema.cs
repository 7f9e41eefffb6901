namespace Coxswain.Api.Schema;

/// <summary>The shapes a JSON value of the Kubernetes API can have.</summary>
public enum SchemaKind
{
    Object,
    Array,
    /// <summary>A JSON object with free keys and values of one type (labels, resources, ...).</summary>
    Map,
    String,
    Integer,
    Number,
    Boolean,
    IntOrString,
    Quantity,
    /// <summary>RFC 3339 date-time string.</summary>
    Time,
    /// <summary>base64 string ([]byte in Go).</summary>
    Bytes,
    /// <summary>Anything (RawExtension, JSON).</summary>
    Any,
}

/// <summary>
/// The schema of one API type, derived from the official KubernetesClient models (their shapes
/// and doc comments) plus the patch metadata upstream keeps in Go struct tags.
/// </summary>
public sealed class TypeSchema
{
    private static readonly IReadOnlyDictionary<string, PropertySchema> NoProperties = new Dictionary<string, PropertySchema>();

    public required SchemaKind Kind { get; init; }
    public required Type ClrType { get; init; }

    /// <summary>The model's CLR type name for objects (e.g. "V1PodSpec"), else null.</summary>
    public string? ModelName { get; init; }

    /// <summary>The doc comment of the model type, read on first use (only OpenAPI needs it).</summary>
    public string? Description
    {
        get => _description ??= DocKey == null ? null : ModelSchemas.Doc(DocKey);
        init => _description = value;
    }

    private string? _description;

    /// <summary>The XML documentation member name ("T:k8s.Models.V1Pod") the description comes from.</summary>
    internal string? DocKey { get; init; }

    /// <summary>OpenAPI format: int32, int64, double, byte, date-time, int-or-string.</summary>
    public string? Format { get; init; }

    /// <summary>Properties of an object, by JSON name.</summary>
    public IReadOnlyDictionary<string, PropertySchema> Properties { get; internal set; } = NoProperties;

    /// <summary>Element type of an array, value type of a map.</summary>
    public TypeSchema? Items { get; internal set; }

    /// <summary>Upstream's +structType / +mapType marker on the type itself ("atomic" or null).</summary>
    public string? StructType { get; internal set; }

    public PropertySchema? Property(string jsonName) => Properties.GetValueOrDefault(jsonName);

    public override string ToString() => ModelName ?? Kind.ToString();
}

/// <summary>One property of an object type, with its patch and list metadata.</summary>
public sealed class PropertySchema
{
    public required string Name { get; init; }
    public required TypeSchema Type { get; init; }
    /// <summary>The doc comment of the model property, read on first use (only OpenAPI needs it).</summary>
    public string? Description
    {
        get => _description ??= DocKey == null ? null : ModelSchemas.Doc(DocKey);
        init => _description = value;
    }

    private string? _description;

    /// <summary>The XML documentation member name ("P:k8s.Models.V1Pod.Spec") the description comes from.</summary>
    internal string? DocKey { get; init; }

    public bool Required { get; internal set; }

    /// <summary>Strategic merge patch strategy: "merge", "replace", "retainKeys", "merge,retainKeys" or null.</summary>
    public string? PatchStrategy { get; internal set; }

    /// <summary>Strategic merge patch key for lists of objects merged by key.</summary>
    public string? PatchMergeKey { get; internal set; }

    /// <summary>Server-side apply list type: "atomic", "set", "map" or null (unset).</summary>
    public string? ListType { get; internal set; }

    /// <summary>Server-side apply keys of a map-typed list.</summary>
    public IReadOnlyList<string>? ListMapKeys { get; internal set; }

    /// <summary>+mapType/+structType on the field: "atomic" or "granular" or null.</summary>
    public string? MapType { get; internal set; }

    public override string ToString() => $"{Name}: {Type}";
}
