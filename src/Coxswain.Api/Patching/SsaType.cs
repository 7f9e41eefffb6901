using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Coxswain.Api.Schema;

namespace Coxswain.Api.Patching;

internal enum SsaKind
{
    Scalar,
    /// <summary>An object with declared fields.</summary>
    Struct,
    /// <summary>An object with free keys.</summary>
    Map,
    List,
    /// <summary>No schema: objects are granular maps, lists atomic (structured-merge-diff's "deduced").</summary>
    Untyped,
}

/// <summary>
/// A type as server-side apply sees it (a structured-merge-diff atom): granular or atomic
/// structs and maps, and lists that are atomic, sets or maps keyed by some of their fields.
/// Built from <see cref="TypeSchema"/> plus the list/map/struct markers of the field.
/// </summary>
internal sealed class SsaType
{
    private static readonly ConditionalWeakTable<object, SsaType> Cache = new();
    private static readonly object Lock = new();
    private readonly ConcurrentDictionary<string, SsaType?> _fields = new(StringComparer.Ordinal);

    /// <summary>Defaults of list map keys (their OpenAPI <c>default</c>), used when an element omits the key.</summary>
    private static readonly Dictionary<(string Model, string Field), JsonNode> KeyDefaults = new()
    {
        [("V1ContainerPort", "protocol")] = JsonValue.Create("TCP"),
        [("V1ServicePort", "protocol")] = JsonValue.Create("TCP"),
    };

    public static SsaType Untyped { get; } = new() { Kind = SsaKind.Untyped };

    private static readonly SsaType UntypedList = new() { Kind = SsaKind.List, Atomic = true, Element = Untyped };

    private static readonly SsaType Leaf = new() { Kind = SsaKind.Scalar };

    public SsaKind Kind { get; private init; }

    /// <summary>Atomic struct, map or list: one value with one owner.</summary>
    public bool Atomic { get; private init; }

    /// <summary>For lists: a set (associative, no keys) when true and Keys is empty.</summary>
    public bool Associative { get; private init; }

    /// <summary>For map-typed lists: the key fields.</summary>
    public IReadOnlyList<string> Keys { get; private init; } = [];

    /// <summary>List element or map value type.</summary>
    public SsaType? Element { get; private set; }

    /// <summary>The object schema of a struct.</summary>
    public TypeSchema? Schema { get; private init; }

    /// <summary>The type of a value in an object of this type, or null when the field is not declared.</summary>
    public SsaType? Field(string name)
    {
        switch (Kind)
        {
            case SsaKind.Struct:
                return _fields.GetOrAdd(name, n => Schema!.Property(n) is { } p ? ForProperty(p) : null);
            case SsaKind.Map:
                return Element;
            default:
                return Untyped;
        }
    }

    /// <summary>Whether <paramref name="name"/> is a declared field of this struct.</summary>
    public bool IsNamedField(string name) => Kind == SsaKind.Struct && Schema!.Property(name) != null;

    public JsonNode? KeyDefault(string key) =>
        Element?.Schema?.ModelName is { } model && KeyDefaults.TryGetValue((model, key), out var d) ? d : null;

    /// <summary>The type of a whole object of this schema (no field markers apply).</summary>
    public static SsaType ForType(TypeSchema schema)
    {
        lock (Lock)
        {
            return ForTypeLocked(schema);
        }
    }

    private static SsaType ForTypeLocked(TypeSchema schema)
    {
        if (Cache.TryGetValue(schema, out var cached))
        {
            return cached;
        }
        SsaType type;
        switch (schema.Kind)
        {
            case SchemaKind.Object:
                type = new SsaType { Kind = SsaKind.Struct, Atomic = schema.StructType == "atomic", Schema = schema };
                Cache.Add(schema, type);
                return type;
            case SchemaKind.Map:
                type = new SsaType { Kind = SsaKind.Map };
                Cache.Add(schema, type);
                type.Element = schema.Items == null ? Untyped : ForTypeLocked(schema.Items);
                return type;
            case SchemaKind.Array:
                // A list with no markers is atomic.
                type = new SsaType { Kind = SsaKind.List, Atomic = true };
                Cache.Add(schema, type);
                type.Element = schema.Items == null ? Untyped : ForTypeLocked(schema.Items);
                return type;
            case SchemaKind.Any:
                return Untyped;
            default:
                return Leaf;
        }
    }

    /// <summary>The type of a field: its schema with the field's list/map/struct markers.</summary>
    public static SsaType ForProperty(PropertySchema prop)
    {
        lock (Lock)
        {
            if (Cache.TryGetValue(prop, out var cached))
            {
                return cached;
            }
            var baseType = ForTypeLocked(prop.Type);
            SsaType type;
            switch (prop.Type.Kind)
            {
                case SchemaKind.Object:
                    var atomic = prop.MapType == "atomic" || (prop.Type.StructType == "atomic" && prop.MapType != "granular");
                    type = atomic == baseType.Atomic ? baseType : new SsaType { Kind = SsaKind.Struct, Atomic = atomic, Schema = prop.Type };
                    break;
                case SchemaKind.Map:
                    type = prop.MapType == "atomic" ? new SsaType { Kind = SsaKind.Map, Atomic = true, Element = baseType.Element } : baseType;
                    break;
                case SchemaKind.Array:
                    type = ListType(prop, baseType.Element ?? Untyped);
                    break;
                default:
                    type = baseType;
                    break;
            }
            Cache.Add(prop, type);
            return type;
        }
    }

    /// <summary>
    /// listType when the field has one; otherwise, as kube-openapi does, the patch tags: merge with a
    /// key is a map on that key, merge without a key a set, anything else atomic.
    /// </summary>
    private static SsaType ListType(PropertySchema prop, SsaType element)
    {
        var listType = prop.ListType;
        var keys = prop.ListMapKeys;
        if (listType == null && prop.PatchStrategy is { } strategy && strategy.Split(',').Contains("merge"))
        {
            listType = prop.PatchMergeKey == null ? "set" : "map";
            keys = prop.PatchMergeKey == null ? null : [prop.PatchMergeKey];
        }
        return listType switch
        {
            "set" => new SsaType { Kind = SsaKind.List, Associative = true, Element = element },
            "map" => new SsaType { Kind = SsaKind.List, Associative = true, Keys = keys ?? [], Element = element },
            _ => new SsaType { Kind = SsaKind.List, Atomic = true, Element = element },
        };
    }

    /// <summary>The type of an untyped list value (atomic).</summary>
    public static SsaType UntypedListType => UntypedList;

    public override string ToString() => Kind switch
    {
        SsaKind.Struct => (Atomic ? "atomic " : "") + Schema!.ModelName,
        SsaKind.List => Atomic ? "atomic list" : Keys.Count > 0 ? $"map list [{string.Join(",", Keys)}]" : "set",
        _ => (Atomic ? "atomic " : "") + Kind,
    };
}
