namespace Coxswain.ApiServer.Registry;

/// <summary>Options common to create, update and patch (query parameters).</summary>
internal sealed record WriteOptions
{
    public bool DryRun { get; init; }

    /// <summary>Who makes the change, for managedFields (fieldManager, or derived from the user agent).</summary>
    public string FieldManager { get; init; } = "unknown";

    /// <summary>managedFields were already computed (server-side apply); the registry leaves them alone.</summary>
    public bool ManagedFieldsDone { get; init; }

    public static readonly WriteOptions Default = new();
}

/// <summary>The options of a delete (query parameters and the DeleteOptions body).</summary>
internal sealed record DeleteRequest
{
    public bool DryRun { get; init; }
    public long? GracePeriodSeconds { get; init; }
    public string? PropagationPolicy { get; init; }
    public string? PreconditionUid { get; init; }
    public string? PreconditionResourceVersion { get; init; }
}

/// <summary>
/// What a write left in the store: the object, and when it was written, the stored value (so that the answer is a
/// byte splice of what was stored instead of a second encoding).
/// </summary>
internal sealed record WriteResult(k8s.IKubernetesObject<k8s.Models.V1ObjectMeta> Object, bool Created, Coxswain.Storage.KeyValue? Stored = null);

/// <summary>What a delete did: removed the object now, or marked it for deletion (finalizers, grace).</summary>
internal sealed record DeleteResult(k8s.IKubernetesObject<k8s.Models.V1ObjectMeta> Object, bool Deleted);
