using System.Threading.Channels;
using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.ApiServer.Registry;
using Coxswain.Storage;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.ApiServer.Lifecycle;

/// <summary>
/// Owner-reference garbage collection and namespace finalization, as upstream's garbage
/// collector and namespace controller do: dependents whose owners are all gone are deleted;
/// an owner deleted with the orphan finalizer has its dependents released first, one deleted
/// with foregroundDeletion waits for its blocking dependents; a Terminating namespace is
/// emptied and then finalized. It keeps an index of every object's ownership, fed by one
/// watch on the whole store, and acts through the registry like any API client would.
/// (Runs inside the API server until the controller manager takes it over.)
/// </summary>
internal sealed partial class GarbageCollector(ObjectRegistry registry, StoredKinds kinds, ILogger logger)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, Node> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _dependents = new(StringComparer.Ordinal);
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>();
    private readonly object _lock = new();

    private sealed record Node(ResourceDefinition Def, string? Namespace, string Name, string Uid, V1ObjectMeta Meta);

    private readonly record struct WorkItem(string Uid, bool IsNamespace);

    public async Task RunAsync(CancellationToken ct)
    {
        // Watch from the oldest list's revision: replaying an event twice is harmless, missing one is not.
        var revision = long.MaxValue;
        foreach (var def in kinds.All)
        {
            var page = await registry.ListAsync(def, null, new ListQuery(), ct);
            revision = Math.Min(revision, page.Revision);
            foreach (var item in page.Items)
            {
                Upsert(def, item.Stored);
            }
        }
        lock (_lock)
        {
            foreach (var node in _byUid.Values)
            {
                EnqueueIfActionable(node);
            }
        }
        var watcher = Task.Run(() => WatchAsync(revision, ct), ct);
        var worker = Task.Run(() => WorkAsync(ct), ct);
        await Task.WhenAll(watcher, worker);
    }

    private async Task WatchAsync(long from, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var watch = registry.Store.Watch("/registry/", from, ct);
                await foreach (var e in watch.Events.ReadAllAsync(ct))
                {
                    from = e.Revision;
                    var parsed = kinds.Parse(e.Kv.Key);
                    if (parsed == null)
                    {
                        continue;
                    }
                    if (e.Type == StoreEventType.Delete)
                    {
                        Remove(e.Kv);
                    }
                    else
                    {
                        Upsert(parsed.Value.Def, e.Kv);
                    }
                }
            }
            catch (CompactedException)
            {
                // Fell behind: rebuild from a fresh list.
                LogResync(logger);
                lock (_lock)
                {
                    _byUid.Clear();
                    _dependents.Clear();
                }
                from = long.MaxValue;
                foreach (var def in kinds.All)
                {
                    var page = await registry.ListAsync(def, null, new ListQuery(), ct);
                    from = Math.Min(from, page.Revision);
                    foreach (var item in page.Items)
                    {
                        Upsert(def, item.Stored);
                    }
                }
            }
        }
    }

    private void Upsert(ResourceDefinition def, KeyValue kv)
    {
        var meta = MetadataReader.Read(kv.Value);
        if (meta?.Uid == null)
        {
            return;
        }
        var node = new Node(def, meta.NamespaceProperty, meta.Name, meta.Uid, meta);
        lock (_lock)
        {
            if (_byUid.TryGetValue(meta.Uid, out var old))
            {
                foreach (var owner in old.Meta.OwnerReferences ?? [])
                {
                    _dependents.GetValueOrDefault(owner.Uid)?.Remove(old.Uid);
                }
            }
            _byUid[meta.Uid] = node;
            foreach (var owner in meta.OwnerReferences ?? [])
            {
                if (!_dependents.TryGetValue(owner.Uid, out var set))
                {
                    _dependents[owner.Uid] = set = new HashSet<string>(StringComparer.Ordinal);
                }
                set.Add(meta.Uid);
            }
            EnqueueIfActionable(node);
            // An owner in foreground deletion waits for its dependents: a change to one may unblock it.
            foreach (var owner in meta.OwnerReferences ?? [])
            {
                if (_byUid.TryGetValue(owner.Uid, out var o) && o.Meta.DeletionTimestamp != null)
                {
                    Enqueue(o.Uid, false);
                }
            }
        }
    }

    private void Remove(KeyValue kv)
    {
        var meta = MetadataReader.Read(kv.Value);
        if (meta?.Uid == null)
        {
            return;
        }
        lock (_lock)
        {
            _byUid.Remove(meta.Uid);
            foreach (var owner in meta.OwnerReferences ?? [])
            {
                _dependents.GetValueOrDefault(owner.Uid)?.Remove(meta.Uid);
                if (_byUid.ContainsKey(owner.Uid))
                {
                    Enqueue(owner.Uid, false);
                }
            }
            if (_dependents.Remove(meta.Uid, out var orphans))
            {
                foreach (var d in orphans)
                {
                    Enqueue(d, false);
                }
            }
        }
    }

    private void EnqueueIfActionable(Node node)
    {
        var m = node.Meta;
        if (m.DeletionTimestamp != null || (m.OwnerReferences?.Count ?? 0) > 0)
        {
            Enqueue(node.Uid, node.Def.Kind == "Namespace" && m.DeletionTimestamp != null);
        }
    }

    private void Enqueue(string uid, bool isNamespace) => _queue.Writer.TryWrite(new WorkItem(uid, isNamespace));

    private async Task WorkAsync(CancellationToken ct)
    {
        await foreach (var item in _queue.Reader.ReadAllAsync(ct))
        {
            Node? node;
            lock (_lock)
            {
                node = _byUid.GetValueOrDefault(item.Uid);
            }
            if (node == null)
            {
                continue;
            }
            bool done;
            try
            {
                done = node.Def.Kind == "Namespace" ? await FinalizeNamespaceAsync(node, ct) : await CollectAsync(node, ct);
            }
            catch (ApiException e) when (e.Code is 404 or 409)
            {
                done = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e, node.Def.Kind, node.Name);
                done = false;
            }
            if (!done)
            {
                _ = Task.Delay(RetryDelay, ct).ContinueWith(_ => Enqueue(item.Uid, item.IsNamespace), TaskScheduler.Default);
            }
        }
    }

    /// <summary>One object: honour its deletion finalizers, and delete it if all its owners are gone. True when nothing is left to do now.</summary>
    private async Task<bool> CollectAsync(Node node, CancellationToken ct)
    {
        var meta = node.Meta;
        List<Node> dependents;
        lock (_lock)
        {
            dependents = (_dependents.GetValueOrDefault(node.Uid) ?? []).Select(_byUid.GetValueOrDefault).OfType<Node>().ToList();
        }
        if (meta.DeletionTimestamp != null && meta.Finalizers?.Contains(ObjectRegistry.OrphanFinalizer) == true)
        {
            foreach (var d in dependents)
            {
                await UpdateMetaAsync(d, m => m.OwnerReferences = Without(m.OwnerReferences, node.Uid), ct);
            }
            await UpdateMetaAsync(node, m => m.Finalizers = m.Finalizers?.Where(f => f != ObjectRegistry.OrphanFinalizer).ToList(), ct);
            return true;
        }
        if (meta.DeletionTimestamp != null && meta.Finalizers?.Contains(ObjectRegistry.ForegroundFinalizer) == true)
        {
            var blocking = dependents.Where(d => d.Meta.OwnerReferences?.Any(o => o.Uid == node.Uid && o.BlockOwnerDeletion == true) == true).ToList();
            foreach (var d in dependents.Where(d => d.Meta.DeletionTimestamp == null))
            {
                var policy = blocking.Contains(d) ? "Foreground" : "Background";
                await DeleteAsync(d, policy, ct);
            }
            if (blocking.Count > 0)
            {
                return true; // Their deletion re-queues this owner.
            }
            await UpdateMetaAsync(node, m => m.Finalizers = m.Finalizers?.Where(f => f != ObjectRegistry.ForegroundFinalizer).ToList(), ct);
            return true;
        }
        var owners = meta.OwnerReferences ?? [];
        if (owners.Count == 0 || meta.DeletionTimestamp != null)
        {
            return true;
        }
        List<V1OwnerReference> absent;
        lock (_lock)
        {
            absent = owners.Where(o => !_byUid.ContainsKey(o.Uid)).ToList();
        }
        if (absent.Count == owners.Count)
        {
            // Every owner is gone: the dependent goes too (upstream also checks the owner's
            // deletion policy; an owner deleted with orphan would have released it first).
            await DeleteAsync(node, "Background", ct);
        }
        else if (absent.Count > 0)
        {
            await UpdateMetaAsync(node, m => m.OwnerReferences = m.OwnerReferences?.Where(o => absent.All(a => a.Uid != o.Uid)).ToList(), ct);
        }
        return true;
    }

    /// <summary>A Terminating namespace: delete its content, then remove the "kubernetes" finalizer.</summary>
    private async Task<bool> FinalizeNamespaceAsync(Node node, CancellationToken ct)
    {
        var ns = (V1Namespace)await registry.GetAsync(node.Def, null, node.Name, ct);
        if (ns.Metadata.DeletionTimestamp == null)
        {
            return true;
        }
        var remaining = 0;
        foreach (var def in kinds.All.Where(d => d.Namespaced))
        {
            var page = await registry.ListAsync(def, node.Name, new ListQuery(), ct);
            foreach (var item in page.Items)
            {
                remaining++;
                if (item.Object.Metadata.DeletionTimestamp == null)
                {
                    await registry.DeleteAsync(def, node.Name, item.Object.Metadata.Name, new DeleteRequest { PropagationPolicy = "Background" }, ct);
                }
            }
        }
        if (remaining > 0)
        {
            return false;
        }
        if (ns.Spec?.Finalizers?.Contains("kubernetes") == true)
        {
            await registry.UpdateAsync(node.Def, null, node.Name, "finalize", current =>
            {
                var n = (V1Namespace)current;
                n.Spec.Finalizers = n.Spec.Finalizers.Where(f => f != "kubernetes").ToList();
                n.Metadata.ResourceVersion = null;
                return n;
            }, WriteOptions.Default, ct);
        }
        return true;
    }

    private async Task UpdateMetaAsync(Node node, Action<V1ObjectMeta> change, CancellationToken ct)
    {
        try
        {
            await registry.UpdateAsync(node.Def, node.Namespace, node.Name, null, current =>
            {
                change(current.Metadata);
                current.Metadata.ResourceVersion = null;
                return current;
            }, WriteOptions.Default, ct);
        }
        catch (ApiException e) when (e.Code == 404)
        {
        }
    }

    private async Task DeleteAsync(Node node, string policy, CancellationToken ct)
    {
        try
        {
            await registry.DeleteAsync(node.Def, node.Namespace, node.Name, new DeleteRequest { PropagationPolicy = policy, PreconditionUid = node.Uid }, ct);
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
        }
    }

    private static List<V1OwnerReference>? Without(IList<V1OwnerReference>? refs, string uid)
    {
        var kept = refs?.Where(r => r.Uid != uid).ToList();
        return kept is { Count: > 0 } ? kept : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "garbage collector fell behind the store; rebuilding its index")]
    private static partial void LogResync(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "garbage collection of {Kind} {Name} failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception e, string kind, string name);
}
