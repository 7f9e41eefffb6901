using Coxswain.Api.Resources;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Conversion;

/// <summary>
/// Conversions between served versions and the stored version of kinds served in more than one
/// version. STUB: to be replaced by the full field mappings.
/// </summary>
public static class VersionConverters
{
    public static IVersionConverter HpaV1(ResourceDefinition storage) => new ViaJson(storage);

    public static IVersionConverter EventsV1(ResourceDefinition storage) => new ViaJson(storage);

    private sealed class ViaJson(ResourceDefinition storage) : IVersionConverter
    {
        public ResourceDefinition StorageVersion => storage;

        public IKubernetesObject<V1ObjectMeta> ToStorage(IKubernetesObject<V1ObjectMeta> served) =>
            throw new NotSupportedException("conversion not implemented yet");

        public IKubernetesObject<V1ObjectMeta> FromStorage(IKubernetesObject<V1ObjectMeta> stored) =>
            throw new NotSupportedException("conversion not implemented yet");
    }
}
