using Coxswain.Api.Resources;
using Coxswain.Api.Serialization;
using Coxswain.Storage;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Registry;

/// <summary>Moves objects between stored bytes and served typed objects, across versions.</summary>
internal static class StoredObjects
{
    /// <summary>The typed object in <paramref name="def"/>'s version, resourceVersion set.</summary>
    public static IKubernetesObject<V1ObjectMeta> Decode(ResourceDefinition def, KeyValue kv) =>
        Decode(def, kv.Value, kv.ModRevision);

    public static IKubernetesObject<V1ObjectMeta> Decode(ResourceDefinition def, byte[] value, long revision)
    {
        var storageType = def.Converter?.StorageVersion.ModelType ?? def.ModelType;
        var obj = ObjectCodec.Decode(value, storageType);
        obj.Metadata ??= new V1ObjectMeta();
        obj.Metadata.ResourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return def.Converter == null ? obj : def.Converter.FromStorage(obj);
    }

    /// <summary>The served JSON of a stored value: a byte splice when no conversion is needed.</summary>
    public static byte[] Served(ResourceDefinition def, byte[] value, long revision) =>
        def.Converter == null
            ? ObjectBytes.WithResourceVersion(value, revision)
            : ObjectCodec.Encode(Decode(def, value, revision));

    /// <summary>Bytes to store: the storage version, without resourceVersion.</summary>
    public static byte[] Encode(ResourceDefinition def, IKubernetesObject<V1ObjectMeta> obj)
    {
        var stored = def.Converter == null ? obj : def.Converter.ToStorage(obj);
        var rv = stored.Metadata.ResourceVersion;
        stored.Metadata.ResourceVersion = null;
        try
        {
            return ObjectCodec.Encode(stored);
        }
        finally
        {
            stored.Metadata.ResourceVersion = rv;
        }
    }
}
