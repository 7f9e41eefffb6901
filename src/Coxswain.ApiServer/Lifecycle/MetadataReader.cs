using System.Text.Json;
using Coxswain.Api.Serialization;
using k8s.Models;

namespace Coxswain.ApiServer.Lifecycle;

/// <summary>
/// Reads the lifecycle fields of an object's metadata (name, namespace, uid, deletionTimestamp, finalizers,
/// ownerReferences) out of stored JSON, skipping everything else: decoding whole objects (or even whole metadata,
/// with managedFields) to look at one field costs more than the write itself.
/// </summary>
internal static class MetadataReader
{
    public static V1ObjectMeta? Read(byte[] json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (isMetadata)
            {
                return reader.TokenType == JsonTokenType.StartObject ? ReadLifecycleFields(ref reader) : null;
            }
            reader.Skip();
        }
        return null;
    }

    private static V1ObjectMeta ReadLifecycleFields(ref Utf8JsonReader reader)
    {
        var meta = new V1ObjectMeta();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                meta.Name = reader.GetString();
            }
            else if (reader.ValueTextEquals("namespace"u8))
            {
                reader.Read();
                meta.NamespaceProperty = reader.GetString();
            }
            else if (reader.ValueTextEquals("uid"u8))
            {
                reader.Read();
                meta.Uid = reader.GetString();
            }
            else if (reader.ValueTextEquals("deletionTimestamp"u8))
            {
                reader.Read();
                meta.DeletionTimestamp = reader.TokenType == JsonTokenType.Null ? null : JsonSerializer.Deserialize<DateTime?>(ref reader, ObjectCodec.Options);
            }
            else if (reader.ValueTextEquals("finalizers"u8))
            {
                reader.Read();
                meta.Finalizers = JsonSerializer.Deserialize<List<string>>(ref reader, ObjectCodec.Options);
            }
            else if (reader.ValueTextEquals("ownerReferences"u8))
            {
                reader.Read();
                meta.OwnerReferences = JsonSerializer.Deserialize<List<V1OwnerReference>>(ref reader, ObjectCodec.Options);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return meta;
    }
}
