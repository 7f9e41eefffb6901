using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.Storage;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Registry;

/// <summary>
/// The generic registry (upstream's genericregistry.Store): get, list, create, update, delete of
/// any kind in the catalog on top of the store, with the generic API rules applied in
/// <see cref="WriteRules"/> and the kind's own rules from its strategy.
/// </summary>
internal sealed partial class ObjectRegistry(IStore store, ResourceCatalog catalog, TimeProvider clock)
{
    private const int MaxUpdateRetries = 16;

    public IStore Store => store;
    public ResourceCatalog Catalog => catalog;
    public TimeProvider Clock => clock;

    private ResourceDefinition Namespaces => catalog.Find("", "v1", "namespaces")!;

    public async Task<KeyValue> GetRawAsync(ResourceDefinition def, string? ns, string name, CancellationToken ct)
    {
        return await store.GetAsync(StorageKeys.Object(def, ns, name), ct)
            ?? throw ApiException.NotFound(def.Plural, def.Group, name);
    }

    public async Task<IKubernetesObject<V1ObjectMeta>> GetAsync(ResourceDefinition def, string? ns, string name, CancellationToken ct) =>
        StoredObjects.Decode(def, await GetRawAsync(def, ns, name, ct));

    /// <summary>One page of a list, filtered by the selectors, pinned to one revision.</summary>
    public async Task<ListPage> ListAsync(ResourceDefinition def, string? ns, ListQuery q, CancellationToken ct)
    {
        var prefix = StorageKeys.Prefix(def, ns);
        long revision = 0;
        string? start = null;
        if (!string.IsNullOrEmpty(q.Continue))
        {
            if (!string.IsNullOrEmpty(q.ResourceVersion))
            {
                throw ApiException.BadRequest("specifying resource version is not allowed when using continue");
            }
            (revision, var startSuffix) = ContinueToken.Decode(q.Continue);
            start = prefix + startSuffix;
        }
        else if (q.ResourceVersionMatch == "Exact")
        {
            revision = ParseResourceVersion(q.ResourceVersion);
        }
        else if (!string.IsNullOrEmpty(q.ResourceVersion) && q.ResourceVersion != "0")
        {
            var wanted = ParseResourceVersion(q.ResourceVersion);
            if (wanted > store.CurrentRevision)
            {
                throw new ApiException(504, "Timeout", $"Too large resource version: {wanted}, current: {store.CurrentRevision}",
                    new V1StatusDetails { Causes = [new V1StatusCause { Reason = "ResourceVersionTooLarge", Message = "Too large resource version" }], RetryAfterSeconds = 1 });
            }
        }

        var items = new List<ListedObject>();
        var limit = q.Limit > 0 ? q.Limit : 0;
        var fetch = limit == 0 ? 0 : Math.Max(limit, q.HasSelectors ? limit * 2 : limit);
        while (true)
        {
            ListResult page;
            try
            {
                page = await store.ListAsync(prefix, revision, start, fetch == 0 ? 0 : fetch + 1, ct);
            }
            catch (CompactedException)
            {
                if (!string.IsNullOrEmpty(q.Continue))
                {
                    var resume = ContinueToken.Encode(store.CurrentRevision, (start ?? prefix)[prefix.Length..]);
                    throw new ApiException(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
                    {
                        Continue = resume,
                    };
                }
                throw ApiException.Gone("The resourceVersion for the provided list is too old.");
            }
            catch (FutureRevisionException)
            {
                throw new ApiException(504, "Timeout", $"Too large resource version: {revision}, current: {store.CurrentRevision}");
            }
            revision = page.Revision;
            var fetched = page.Items;
            for (var i = 0; i < fetched.Count; i++)
            {
                var kv = fetched[i];
                if (limit > 0 && items.Count == limit)
                {
                    // There is at least one more object: the next page starts at it.
                    var remaining = q.HasSelectors ? (long?)null : fetched.Count - i + (page.More ? page.RemainingCount : 0);
                    return new ListPage(items, revision, ContinueToken.Encode(revision, kv.Key[prefix.Length..]), remaining);
                }
                var listed = new ListedObject(def, kv);
                if (!q.HasSelectors || Matches(def, listed.Object, q))
                {
                    items.Add(listed);
                }
            }
            if (!page.More || fetched.Count == 0)
            {
                return new ListPage(items, revision, null, null);
            }
            start = fetched[^1].Key + "\0";
        }
    }

    public static bool Matches(ResourceDefinition def, IKubernetesObject<V1ObjectMeta> obj, ListQuery q)
    {
        if (!q.Labels.Matches(obj.Metadata?.Labels))
        {
            return false;
        }
        if (q.Fields.IsEverything)
        {
            return true;
        }
        return Api.Selectors.FieldSelectors.Matches(def.Group, def.Kind, q.Fields, obj);
    }

    private static long ParseResourceVersion(string? rv)
    {
        if (!long.TryParse(rv, out var value) || value < 0)
        {
            throw ApiException.BadRequest($"Invalid value: \"{rv}\": resourceVersion must be an integer");
        }
        return value;
    }

    /// <summary>Creates an object; <paramref name="ns"/> is the namespace of the request path.</summary>
    public async Task<WriteResult> CreateAsync(ResourceDefinition def, string? ns, IKubernetesObject<V1ObjectMeta> obj, WriteOptions options, CancellationToken ct)
    {
        if (def.Namespaced)
        {
            await CheckNamespaceAcceptsAsync(def, ns!, obj.Metadata?.Name ?? obj.Metadata?.GenerateName ?? "", ct);
        }
        switch (obj)
        {
            case V1Pod pod:
                await PriorityAdmission.AdmitPodAsync(this, pod, ct);
                break;
            case V1PriorityClass priorityClass:
                await PriorityAdmission.AdmitClassAsync(this, priorityClass, ct);
                break;
        }
        var generated = string.IsNullOrEmpty(obj.Metadata?.Name) && !string.IsNullOrEmpty(obj.Metadata?.GenerateName);
        for (var attempt = 0; ; attempt++)
        {
            WriteRules.PrepareForCreate(def, ns, obj, clock.GetUtcNow().UtcDateTime);
            try
            {
                return obj is V1Service svc
                    ? await Services.WithAllocationAsync(def, svc, null, () => ValidateAndStoreAsync(def, ns, obj, options, ct), ct)
                    : await ValidateAndStoreAsync(def, ns, obj, options, ct);
            }
            catch (KeyExistsException)
            {
                if (generated && attempt < 8)
                {
                    obj.Metadata!.Name = null;
                    continue;
                }
                throw ApiException.AlreadyExists(def.Plural, def.Group, obj.Metadata!.Name!);
            }
        }
    }

    private async Task<WriteResult> ValidateAndStoreAsync(ResourceDefinition def, string? ns, IKubernetesObject<V1ObjectMeta> obj, WriteOptions options, CancellationToken ct)
    {
        WriteRules.ValidateCreate(def, obj);
        WriteRules.TrackManagedFields(def, null, obj, null, options, clock.GetUtcNow().UtcDateTime);
        if (options.DryRun)
        {
            return new WriteResult(obj, true);
        }
        var kv = await store.CreateAsync(StorageKeys.Object(def, ns, obj.Metadata!.Name!), StoredObjects.Encode(def, obj), ct);
        obj.Metadata.ResourceVersion = kv.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new WriteResult(obj, true, kv);
    }

    /// <summary>Cluster IPs and node ports of Services.</summary>
    private ServiceAllocator Services => _services ??= new ServiceAllocator(this, ServiceRange);

    private ServiceAllocator? _services;

    /// <summary>The service CIDR (k3s's default).</summary>
    public ServiceCidr ServiceRange { get; init; } = new("10.43.0.0/16");

    private async Task CheckNamespaceAcceptsAsync(ResourceDefinition def, string ns, string name, CancellationToken ct)
    {
        var kv = await store.GetAsync(StorageKeys.Object(Namespaces, null, ns), ct)
            ?? throw ApiException.NotFound("namespaces", "", ns);
        // Only the metadata matters here: a namespace is Terminating exactly when it has a deletionTimestamp.
        if (Lifecycle.MetadataReader.Read(kv.Value)?.DeletionTimestamp != null)
        {
            // Upstream's NamespaceLifecycle admission.
            throw new ApiException(403, "Forbidden",
                $"{def.QualifiedPlural} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                new V1StatusDetails
                {
                    Name = name,
                    Group = def.Group.Length == 0 ? null : def.Group,
                    Kind = def.Plural,
                    Causes = [new V1StatusCause { Reason = "NamespaceTerminating", Message = $"namespace {ns} is being terminated", Field = "metadata.namespace" }],
                });
        }
    }

    /// <summary>
    /// Read-modify-write with optimistic concurrency (upstream's GuaranteedUpdate):
    /// <paramref name="update"/> gets the current object and returns the desired one. When the
    /// desired object carries a resourceVersion it must match (409 Conflict otherwise); when it
    /// carries none the update is retried on a concurrent write.
    /// </summary>
    public Task<WriteResult> UpdateAsync(
        ResourceDefinition def, string? ns, string name, string? subresource,
        Func<IKubernetesObject<V1ObjectMeta>, IKubernetesObject<V1ObjectMeta>> update,
        WriteOptions options, CancellationToken ct)
    {
        if (def.Kind != "Service" || subresource != null)
        {
            return UpdateCoreAsync(def, ns, name, subresource, update, options, ct);
        }
        // A service's type or ports may change what it needs allocated.
        return UpdateCoreAsync(def, ns, name, subresource, update, options, ct, (desired, current) =>
            Services.WithAllocationAsync(def, (V1Service)desired, (V1Service)current, () => Task.FromResult(0), ct));
    }

    private async Task<WriteResult> UpdateCoreAsync(
        ResourceDefinition def, string? ns, string name, string? subresource,
        Func<IKubernetesObject<V1ObjectMeta>, IKubernetesObject<V1ObjectMeta>> update,
        WriteOptions options, CancellationToken ct,
        Func<IKubernetesObject<V1ObjectMeta>, IKubernetesObject<V1ObjectMeta>, Task>? allocate = null)
    {
        var key = StorageKeys.Object(def, ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var kv = await store.GetAsync(key, ct) ?? throw ApiException.NotFound(def.Plural, def.Group, name);
            var current = StoredObjects.Decode(def, kv);
            var desired = update(StoredObjects.Decode(def, kv));
            var pinned = !string.IsNullOrEmpty(desired.Metadata?.ResourceVersion);
            if (pinned && desired.Metadata!.ResourceVersion != current.Metadata.ResourceVersion)
            {
                throw ApiException.Conflict(def.Plural, def.Group, name, "the object has been modified; please apply your changes to the latest version and try again");
            }
            // An unconditional update writes over the version it read (upstream fills it in too).
            desired.Metadata!.ResourceVersion = current.Metadata.ResourceVersion;
            WriteRules.PrepareForUpdate(def, ns, name, subresource, desired, current);
            if (allocate != null)
            {
                await allocate(desired, current);
            }
            WriteRules.ValidateUpdate(def, subresource, desired, current);
            // Nothing changed (managedFields aside, which only record changes): upstream writes
            // nothing and answers with the object as it is.
            var requestedManagedFields = desired.Metadata!.ManagedFields;
            if (!options.ManagedFieldsDone)
            {
                desired.Metadata.ManagedFields = current.Metadata.ManagedFields;
            }
            // Compared with the stored bytes, which are this encoder's output for the current object (a value stored
            // by another encoding only costs one no-op write that makes it canonical).
            var unchanged = StoredObjects.Encode(def, desired).AsSpan().SequenceEqual(kv.Value);
            desired.Metadata.ManagedFields = requestedManagedFields;
            if (unchanged)
            {
                return new WriteResult(current, false);
            }
            WriteRules.TrackManagedFields(def, subresource, desired, current, options, clock.GetUtcNow().UtcDateTime);
            var bytes = StoredObjects.Encode(def, desired);
            if (options.DryRun)
            {
                return new WriteResult(desired, false);
            }
            if (desired.Metadata!.DeletionTimestamp != null && (desired.Metadata.Finalizers == null || desired.Metadata.Finalizers.Count == 0)
                && ShouldDeleteWhenFinalized(def, desired))
            {
                // The last finalizer is gone from an object being deleted: it goes now.
                try
                {
                    var deleted = await store.DeleteAsync(key, kv.ModRevision, ct);
                    desired.Metadata.ResourceVersion = deleted.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return new WriteResult(desired, false);
                }
                catch (RevisionMismatchException) when (!pinned && attempt < MaxUpdateRetries)
                {
                    continue;
                }
            }
            try
            {
                var written = await store.UpdateAsync(key, bytes, kv.ModRevision, ct);
                desired.Metadata.ResourceVersion = written.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new WriteResult(desired, false, written);
            }
            catch (RevisionMismatchException) when (!pinned && attempt < MaxUpdateRetries)
            {
            }
            catch (RevisionMismatchException)
            {
                throw ApiException.Conflict(def.Plural, def.Group, name, "the object has been modified; please apply your changes to the latest version and try again");
            }
            catch (StoreKeyNotFoundException)
            {
                throw ApiException.NotFound(def.Plural, def.Group, name);
            }
        }
    }

    /// <summary>
    /// Pods being gracefully terminated stay until the kubelet deletes them with grace 0, even
    /// with no finalizers left; everything else goes when its last finalizer does.
    /// </summary>
    private static bool ShouldDeleteWhenFinalized(ResourceDefinition def, IKubernetesObject<V1ObjectMeta> obj) => obj switch
    {
        V1Pod => obj.Metadata.DeletionGracePeriodSeconds is null or 0,
        V1Namespace ns => (ns.Spec?.Finalizers?.Count ?? 0) == 0,
        _ => true,
    };
}

/// <summary>One object of a list: its stored value, decoded on demand.</summary>
internal sealed class ListedObject(ResourceDefinition def, KeyValue kv)
{
    private IKubernetesObject<V1ObjectMeta>? _object;

    public KeyValue Stored => kv;

    public IKubernetesObject<V1ObjectMeta> Object => _object ??= StoredObjects.Decode(def, kv);

    /// <summary>The item as a list carries it: served version, resourceVersion set, no apiVersion/kind.</summary>
    public byte[] ListItemJson() => def.Converter == null
        ? ObjectBytes.AsListItem(kv.Value, kv.ModRevision)
        : ObjectBytes.AsListItem(Api.Serialization.ObjectCodec.Encode(Object), kv.ModRevision);
}

/// <summary>A page of a list, with the revision it reflects and the token for the next page.</summary>
internal sealed record ListPage(IReadOnlyList<ListedObject> Items, long Revision, string? Continue, long? RemainingItemCount);
