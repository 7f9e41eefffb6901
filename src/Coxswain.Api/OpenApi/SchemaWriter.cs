using System.Text;
using System.Text.Json;
using Coxswain.Api.Schema;

namespace Coxswain.Api.OpenApi;

/// <summary>
/// Writes definitions as upstream's documents do. Swagger 2.0 puts a reference next to its
/// description; OpenAPI 3 wraps a reference that has siblings in <c>allOf</c> and carries the
/// zero-value defaults of non-pointer fields.
/// </summary>
internal sealed class SchemaWriter
{
    private static readonly JsonEncodedText Description = JsonEncodedText.Encode("description");
    private static readonly JsonEncodedText TypeKey = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText FormatKey = JsonEncodedText.Encode("format");
    private static readonly JsonEncodedText RefKey = JsonEncodedText.Encode("$ref");
    private static readonly JsonEncodedText DefaultKey = JsonEncodedText.Encode("default");
    private static readonly JsonEncodedText AllOf = JsonEncodedText.Encode("allOf");

    /// <summary>Properties whose struct is a non-pointer field in upstream's Go types (default {}).</summary>
    private static readonly HashSet<string> ValueStructProperties = ["metadata", "spec", "status", "template"];

    private readonly SchemaSet _set;
    private readonly bool _v3;
    private readonly string _refPrefix;
    private readonly Dictionary<string, string> _unwrapped = new(StringComparer.Ordinal);

    public SchemaWriter(SchemaSet set, bool openApi3)
    {
        _set = set;
        _v3 = openApi3;
        _refPrefix = openApi3 ? "#/components/schemas/" : "#/definitions/";
    }

    public string Ref(string definition) => _refPrefix + definition;

    /// <summary>Writes <c>{"$ref": ...}</c> for a model type.</summary>
    public void WriteRef(Utf8JsonWriter w, Type modelType)
    {
        w.WriteStartObject();
        w.WriteString(RefKey, Ref(_set.NameOf(modelType)));
        w.WriteEndObject();
    }

    /// <summary>Writes every definition of the set as properties of the current object.</summary>
    public void WriteDefinitions(Utf8JsonWriter w)
    {
        foreach (var entry in _set.Entries)
        {
            w.WritePropertyName(entry.Name);
            if (entry.Model != null)
            {
                WriteModel(w, entry, entry.Model);
            }
            else
            {
                WriteBuiltin(w, entry.Name, _v3);
            }
        }
    }

    private void WriteModel(Utf8JsonWriter w, SchemaEntry entry, TypeSchema model)
    {
        w.WriteStartObject();
        WriteDescription(w, model.Description);
        w.WriteString(TypeKey, "object");
        var names = model.Properties.Keys.Order(StringComparer.Ordinal).ToArray();
        var required = names.Where(n => IsRequired(model, model.Properties[n])).ToArray();
        if (required.Length > 0)
        {
            w.WriteStartArray("required");
            foreach (var r in required)
            {
                w.WriteStringValue(r);
            }
            w.WriteEndArray();
        }
        if (names.Length > 0)
        {
            w.WriteStartObject("properties");
            foreach (var n in names)
            {
                var p = model.Properties[n];
                WriteProperty(w, model, p, Array.IndexOf(required, n) >= 0);
            }
            w.WriteEndObject();
        }
        if (entry.Gvks.Count > 0)
        {
            w.WriteStartArray("x-kubernetes-group-version-kind");
            foreach (var gvk in entry.Gvks)
            {
                WriteGvk(w, gvk);
            }
            w.WriteEndArray();
        }
        if (model.StructType != null)
        {
            w.WriteString("x-kubernetes-map-type", model.StructType);
        }
        w.WriteEndObject();
    }

    private static bool IsRequired(TypeSchema model, PropertySchema p) => p.Required || RequiredFields.Contains(model.ModelName, p.Name);

    /// <summary>Writes <c>{"group":..,"kind":..,"version":..}</c> (all three keys, as kubectl compares maps).</summary>
    public static void WriteGvk(Utf8JsonWriter w, GroupVersionKind gvk)
    {
        w.WriteStartObject();
        w.WriteString("group", gvk.Group);
        w.WriteString("kind", gvk.Kind);
        w.WriteString("version", gvk.Version);
        w.WriteEndObject();
    }

    private void WriteProperty(Utf8JsonWriter w, TypeSchema owner, PropertySchema p, bool required)
    {
        w.WriteStartObject(p.Name);
        var type = p.Type;
        var refName = _set.RefOf(type, owner, p.Name);
        var description = p.Description;
        if (refName != null)
        {
            var defaultObject = _v3 && type.Kind == SchemaKind.Object && ValueStructProperties.Contains(p.Name);
            if (!_v3)
            {
                w.WriteString(RefKey, Ref(refName));
                WriteDescription(w, description);
            }
            else if (string.IsNullOrEmpty(description) && !defaultObject && !HasExtensions(p))
            {
                w.WriteString(RefKey, Ref(refName));
            }
            else
            {
                WriteDescription(w, description);
                if (defaultObject)
                {
                    w.WriteStartObject(DefaultKey);
                    w.WriteEndObject();
                }
                w.WriteStartArray(AllOf);
                w.WriteStartObject();
                w.WriteString(RefKey, Ref(refName));
                w.WriteEndObject();
                w.WriteEndArray();
            }
        }
        else
        {
            WriteDescription(w, description);
            WriteInline(w, type, owner, p.Name);
            if (_v3 && required)
            {
                WriteZeroDefault(w, type);
            }
        }
        WriteExtensions(w, p);
        w.WriteEndObject();
    }

    private static bool HasExtensions(PropertySchema p) =>
        p.PatchStrategy != null || p.PatchMergeKey != null || p.ListType != null || p.ListMapKeys != null || p.MapType != null;

    private static void WriteExtensions(Utf8JsonWriter w, PropertySchema p)
    {
        if (p.ListMapKeys is { Count: > 0 } keys)
        {
            w.WriteStartArray("x-kubernetes-list-map-keys");
            foreach (var k in keys)
            {
                w.WriteStringValue(k);
            }
            w.WriteEndArray();
        }
        if (p.ListType != null)
        {
            w.WriteString("x-kubernetes-list-type", p.ListType);
        }
        if (p.MapType != null)
        {
            w.WriteString("x-kubernetes-map-type", p.MapType);
        }
        if (p.PatchMergeKey != null)
        {
            w.WriteString("x-kubernetes-patch-merge-key", p.PatchMergeKey);
        }
        if (p.PatchStrategy != null)
        {
            w.WriteString("x-kubernetes-patch-strategy", p.PatchStrategy);
        }
    }

    /// <summary>type/format, and items or additionalProperties, of a value written in place.</summary>
    private void WriteInline(Utf8JsonWriter w, TypeSchema t, TypeSchema owner, string property)
    {
        switch (t.Kind)
        {
            case SchemaKind.Array:
                w.WriteString(TypeKey, "array");
                w.WritePropertyName("items");
                WriteElement(w, t.Items!, owner, property);
                break;
            case SchemaKind.Map:
                w.WriteString(TypeKey, "object");
                w.WritePropertyName("additionalProperties");
                WriteElement(w, t.Items!, owner, property);
                break;
            case SchemaKind.String:
                w.WriteString(TypeKey, "string");
                break;
            case SchemaKind.Bytes:
                w.WriteString(TypeKey, "string");
                w.WriteString(FormatKey, "byte");
                break;
            case SchemaKind.Boolean:
                w.WriteString(TypeKey, "boolean");
                break;
            case SchemaKind.Integer:
                w.WriteString(TypeKey, "integer");
                w.WriteString(FormatKey, t.Format ?? "int32");
                break;
            case SchemaKind.Number:
                w.WriteString(TypeKey, "number");
                w.WriteString(FormatKey, "double");
                break;
            default:
                w.WriteString(TypeKey, "object");
                break;
        }
    }

    /// <summary>An array element or map value: upstream gives non-pointer elements their zero default in v3.</summary>
    private void WriteElement(Utf8JsonWriter w, TypeSchema t, TypeSchema owner, string property)
    {
        w.WriteStartObject();
        var refName = _set.RefOf(t, owner, property);
        if (refName == null)
        {
            WriteInline(w, t, owner, property);
            if (_v3 && t.Kind is not (SchemaKind.Array or SchemaKind.Map or SchemaKind.Bytes))
            {
                WriteZeroDefault(w, t);
            }
        }
        else if (_v3 && t.Kind == SchemaKind.Object)
        {
            w.WriteStartObject(DefaultKey);
            w.WriteEndObject();
            w.WriteStartArray(AllOf);
            w.WriteStartObject();
            w.WriteString(RefKey, Ref(refName));
            w.WriteEndObject();
            w.WriteEndArray();
        }
        else
        {
            w.WriteString(RefKey, Ref(refName));
        }
        w.WriteEndObject();
    }

    private static void WriteZeroDefault(Utf8JsonWriter w, TypeSchema t)
    {
        switch (t.Kind)
        {
            case SchemaKind.String:
                w.WriteString(DefaultKey, "");
                break;
            case SchemaKind.Integer:
            case SchemaKind.Number:
                w.WriteNumber(DefaultKey, 0);
                break;
            case SchemaKind.Boolean:
                w.WriteBoolean(DefaultKey, false);
                break;
        }
    }

    private void WriteDescription(Utf8JsonWriter w, string? description)
    {
        if (!string.IsNullOrEmpty(description))
        {
            w.WriteString(Description, Unwrap(description));
        }
    }

    /// <summary>
    /// The client's XML docs wrap descriptions at 80 columns; upstream's are one line per
    /// paragraph (kubectl explain wraps them itself). Joins wrapped lines, keeps blank lines.
    /// </summary>
    private string? Unwrap(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.IndexOf('\n') < 0)
        {
            return text;
        }
        if (_unwrapped.TryGetValue(text, out var done))
        {
            return done;
        }
        var sb = new StringBuilder(text.Length);
        var pendingBreak = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                pendingBreak = 2;
                continue;
            }
            if (sb.Length > 0)
            {
                sb.Append(pendingBreak == 2 ? "\n\n" : " ");
            }
            sb.Append(line);
            pendingBreak = 1;
        }
        done = sb.ToString();
        _unwrapped[text] = done;
        return done;
    }

    /// <summary>
    /// The hand-written definitions. In OpenAPI 3 upstream gives IntOrString and Quantity a
    /// <c>oneOf</c> of their JSON types instead of a type (so explain shows their names).
    /// </summary>
    private static void WriteBuiltin(Utf8JsonWriter w, string name, bool openApi3)
    {
        var (type, format, description) = name switch
        {
            DefinitionNames.Quantity => ("string", null,
                "Quantity is a fixed-point representation of a number. It is written as a string of a signed number and an optional suffix: a binary SI suffix (Ki, Mi, Gi, Ti, Pi, Ei), a decimal SI suffix (m, \"\", k, M, G, T, P, E) or a decimal exponent (e or E followed by a signed number), for example 100m, 1.5Gi or 1e3."),
            DefinitionNames.IntOrString => ("string", "int-or-string",
                "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number."),
            DefinitionNames.Time => ("string", "date-time",
                "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers."),
            DefinitionNames.MicroTime => ("string", "date-time",
                "MicroTime is version of Time with microsecond level precision."),
            DefinitionNames.FieldsV1 => ("object", null,
                "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff"),
            DefinitionNames.RawExtension => ("object", (string?)null,
                "RawExtension is used to hold extensions in external versions. It holds an embedded object of any kind, serialized as JSON, whose schema the receiving side decides."),
            DefinitionNames.Patch => ("object", null,
                "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."),
            _ => ("object", null, ""),
        };
        string[]? oneOf = !openApi3 ? null : name switch
        {
            DefinitionNames.IntOrString => ["integer", "string"],
            DefinitionNames.Quantity => ["string", "number"],
            _ => null,
        };
        w.WriteStartObject();
        w.WriteString(Description, description);
        if (oneOf == null)
        {
            w.WriteString(TypeKey, type);
        }
        if (format != null)
        {
            w.WriteString(FormatKey, format);
        }
        if (oneOf != null)
        {
            w.WriteStartArray("oneOf");
            foreach (var t in oneOf)
            {
                w.WriteStartObject();
                w.WriteString(TypeKey, t);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
