using System.Text.Json;
using Coxswain.Api.Printing;
using Coxswain.Api.Resources;
using Coxswain.Api.Serialization;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Http;

/// <summary>What each table row carries in its <c>object</c> field (?includeObject=).</summary>
internal enum IncludeObject
{
    Metadata,
    Object,
    None,
}

/// <summary>Writes meta.k8s.io/v1 Table and PartialObjectMetadata answers.</summary>
internal static class TableWriter
{
    private static readonly JsonSerializerOptions ConditionJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static IncludeObject ParseInclude(string? value) => value switch
    {
        null or "" or "Metadata" => IncludeObject.Metadata,
        "Object" => IncludeObject.Object,
        "None" => IncludeObject.None,
        _ => throw Api.Errors.ApiException.BadRequest($"unrecognized includeObject value: \"{value}\""),
    };

    public static void WriteTable(
        Utf8JsonWriter w, ResourceDefinition def, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> objects,
        string? resourceVersion, string? continueToken, long? remaining, IncludeObject include, bool noHeaders, DateTime now)
    {
        var printer = ResourceCatalog.PrinterFor(def);
        w.WriteStartObject();
        w.WriteString("kind", "Table");
        w.WriteString("apiVersion", "meta.k8s.io/v1");
        w.WriteStartObject("metadata");
        if (resourceVersion != null)
        {
            w.WriteString("resourceVersion", resourceVersion);
        }
        if (continueToken != null)
        {
            w.WriteString("continue", continueToken);
        }
        if (remaining != null)
        {
            w.WriteNumber("remainingItemCount", remaining.Value);
        }
        w.WriteEndObject();
        if (!noHeaders)
        {
            w.WriteStartArray("columnDefinitions");
            foreach (var c in printer.Columns)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteString("type", c.Type);
                w.WriteString("format", c.Format);
                w.WriteString("description", c.Description);
                w.WriteNumber("priority", c.Priority);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartArray("rows");
        foreach (var obj in objects)
        {
            w.WriteStartObject();
            w.WriteStartArray("cells");
            foreach (var cell in printer.Cells(obj, now))
            {
                WriteCell(w, cell);
            }
            w.WriteEndArray();
            var conditions = printer.Conditions(obj);
            if (conditions is { Count: > 0 })
            {
                w.WriteStartArray("conditions");
                foreach (var c in conditions)
                {
                    JsonSerializer.Serialize(w, c, c.GetType(), ConditionJson);
                }
                w.WriteEndArray();
            }
            switch (include)
            {
                case IncludeObject.Metadata:
                    w.WritePropertyName("object");
                    WritePartialObjectMetadata(w, obj.Metadata, "meta.k8s.io/v1");
                    break;
                case IncludeObject.Object:
                    w.WritePropertyName("object");
                    ObjectCodec.Encode(w, obj);
                    break;
                case IncludeObject.None:
                    w.WriteNull("object");
                    break;
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WritePartialObjectMetadata(Utf8JsonWriter w, V1ObjectMeta meta, string apiVersion)
    {
        w.WriteStartObject();
        w.WriteString("kind", "PartialObjectMetadata");
        w.WriteString("apiVersion", apiVersion);
        w.WritePropertyName("metadata");
        ObjectCodec.Encode(w, meta);
        w.WriteEndObject();
    }

    public static void WritePartialObjectMetadataList(Utf8JsonWriter w, IEnumerable<V1ObjectMeta> metas, string apiVersion, string? resourceVersion, string? continueToken, long? remaining)
    {
        w.WriteStartObject();
        w.WriteString("kind", "PartialObjectMetadataList");
        w.WriteString("apiVersion", apiVersion);
        w.WriteStartObject("metadata");
        if (resourceVersion != null)
        {
            w.WriteString("resourceVersion", resourceVersion);
        }
        if (continueToken != null)
        {
            w.WriteString("continue", continueToken);
        }
        if (remaining != null)
        {
            w.WriteNumber("remainingItemCount", remaining.Value);
        }
        w.WriteEndObject();
        w.WriteStartArray("items");
        foreach (var m in metas)
        {
            WritePartialObjectMetadata(w, m, apiVersion);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteCell(Utf8JsonWriter w, object? cell)
    {
        switch (cell)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case double d: w.WriteNumberValue(d); break;
            case float f: w.WriteNumberValue(f); break;
            case decimal m: w.WriteNumberValue(m); break;
            default: JsonSerializer.Serialize(w, cell, cell.GetType(), ObjectCodec.Options); break;
        }
    }
}
