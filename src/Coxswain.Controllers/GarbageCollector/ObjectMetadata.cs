using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.GarbageCollector;

/// <summary>
/// Any object read for its metadata only (upstream's PartialObjectMetadata, which this client's models lack): the
/// garbage collector's informers keep just this, whatever the resource.
/// </summary>
public sealed class ObjectMetadata : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    /// <summary>The metadata without managedFields (upstream's informers strip them too): they are most of it.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata
    {
        get => _metadata;
        set
        {
            _metadata = value ?? new V1ObjectMeta();
            _metadata.ManagedFields = null;
        }
    }

    private V1ObjectMeta _metadata = new();
}
