using System.Text.Json;
using Coxswain.Api.Serialization;
using k8s.Models;

namespace Coxswain.ApiServer.Lifecycle;

/// <summary>Reads only metadata out of stored object JSON: cheaper than decoding the whole object.</summary>
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
                return JsonSerializer.Deserialize<V1ObjectMeta>(ref reader, ObjectCodec.Options);
            }
            reader.Skip();
        }
        return null;
    }
}
