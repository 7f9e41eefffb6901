using Coxswain.Api.Resources;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Conversion;

/// <summary>
/// Conversions between served versions and the stored version of kinds served in more than one
/// version: autoscaling/v1 HorizontalPodAutoscaler (stored as autoscaling/v2) and
/// events.k8s.io/v1 Event (stored as core/v1). Metadata is copied whole; apiVersion and kind are
/// set for the target version.
/// </summary>
public static class VersionConverters
{
    public static IVersionConverter HpaV1(ResourceDefinition storage) => new Converter<V1HorizontalPodAutoscaler, V2HorizontalPodAutoscaler>(
        storage, HpaConversion.ToV2, HpaConversion.ToV1);

    public static IVersionConverter EventsV1(ResourceDefinition storage) => new Converter<Eventsv1Event, Corev1Event>(
        storage, EventConversion.ToCore, EventConversion.ToEvents);

    private sealed class Converter<TServed, TStored>(
        ResourceDefinition storage, Func<TServed, TStored> toStorage, Func<TStored, TServed> fromStorage) : IVersionConverter
        where TServed : class, IKubernetesObject<V1ObjectMeta>
        where TStored : class, IKubernetesObject<V1ObjectMeta>
    {
        public ResourceDefinition StorageVersion => storage;

        public IKubernetesObject<V1ObjectMeta> ToStorage(IKubernetesObject<V1ObjectMeta> served) => served switch
        {
            TStored already => already,
            TServed s => toStorage(s),
            _ => throw new ArgumentException($"cannot convert {served.GetType().Name} to {typeof(TStored).Name}", nameof(served)),
        };

        public IKubernetesObject<V1ObjectMeta> FromStorage(IKubernetesObject<V1ObjectMeta> stored) => stored switch
        {
            TServed already => already,
            TStored s => fromStorage(s),
            _ => throw new ArgumentException($"cannot convert {stored.GetType().Name} to {typeof(TServed).Name}", nameof(stored)),
        };
    }
}
