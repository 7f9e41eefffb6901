using System.Text.Json.Nodes;
using Coxswain.Client.Cache;
using Coxswain.Client.ListWatch;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.GarbageCollector;

/// <summary>
/// Upstream's garbage collector (pkg/controller/garbagecollector) as an API client: it discovers every resource
/// served with list, watch and delete, keeps a metadata-only informer per resource, and builds a graph of
/// ownership by uid. Keys are uids. A dependent whose owners are all gone (absent from the graph and, checked with
/// a GET, absent or of another uid on the server) is deleted in the background; an owner deleted with the
/// foregroundDeletion finalizer has its dependents deleted and loses the finalizer once no dependent with
/// blockOwnerDeletion remains; an owner deleted with the orphan finalizer first has its ownerReference removed
/// from every dependent.
/// </summary>
public sealed partial class GarbageCollectorController : QueueController
{
    public const string OrphanFinalizer = "orphan";
    public const string ForegroundFinalizer = "foregroundDeletion";

    // Upstream's default ignoredResources: events churn and never own anything.
    private static readonly HashSet<(string Group, string Plural)> Ignored = [("", "events"), ("events.k8s.io", "events")];

    private readonly Kubernetes _client;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Node> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _dependents = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Group, string Plural), SharedInformer<ObjectMetadata>> _informers = [];
    private List<ApiResource> _resources = [];

    private sealed record Node(ApiResource Resource, V1ObjectMeta Meta)
    {
        public string Uid => Meta.Uid;
        public bool Deleting => Meta.DeletionTimestamp != null;
        public bool Has(string finalizer) => Meta.Finalizers?.Contains(finalizer) == true;
    }

    public GarbageCollectorController(ControllerManager manager)
        : base("garbagecollector", manager.Loggers.CreateLogger("garbage-collector-controller"))
    {
        _client = (Kubernetes)manager.Client;
    }

    /// <summary>The resources known from discovery (tests set them instead of discovering).</summary>
    public IReadOnlyList<ApiResource> Resources
    {
        get => _resources;
        set => _resources = [.. value];
    }

    /// <summary>How often discovery is repeated to pick up resources served since (upstream's resync period).</summary>
    public static readonly TimeSpan RediscoveryPeriod = TimeSpan.FromSeconds(30);

    protected override async Task<bool> WaitForCacheSyncAsync(CancellationToken ct)
    {
        while (!await DiscoverAndWatchAsync(ct))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        foreach (var informer in _informers.Values.ToList())
        {
            if (!await informer.WaitForCacheSyncAsync(ct))
            {
                return false;
            }
        }
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(RediscoveryPeriod);
            while (await timer.WaitForNextTickAsync(ct))
            {
                await DiscoverAndWatchAsync(ct);
            }
        }, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        return true;
    }

    /// <summary>Discovers the served resources and starts an informer for each new one; false when discovery failed.</summary>
    private async Task<bool> DiscoverAndWatchAsync(CancellationToken ct)
    {
        List<ApiResource> resources;
        try
        {
            resources = await ApiResources.DiscoverAsync(_client, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDiscoveryFailed(Logger, e.Message);
            return false;
        }
        _resources = resources;
        // One metadata informer per resource, outside the shared factory: its key is the model type, and every
        // resource here shares one model. (Informers of resources no longer served are left running.)
        foreach (var resource in resources.Where(r => r.Can("list", "watch", "delete") && !Ignored.Contains((r.Group, r.Plural))))
        {
            if (_informers.ContainsKey((resource.Group, resource.Plural)))
            {
                continue;
            }
            var informer = new SharedInformer<ObjectMetadata>(new ListWatcher<ObjectMetadata>(_client, resource.MetadataType));
            var r = resource;
            informer.AddEventHandler(onAdd: o => Observe(r, o.Metadata), onUpdate: (_, o) => Observe(r, o.Metadata), onDelete: (o, _) => Forget(o.Metadata));
            _informers[(resource.Group, resource.Plural)] = informer;
            _ = informer.RunAsync(ct);
        }
        return true;
    }

    // ---- the graph builder: record each object's owners, enqueue what may need action ----

    /// <summary>Records an added or updated object of <paramref name="resource"/>.</summary>
    public void Observe(ApiResource resource, V1ObjectMeta? meta)
    {
        if (meta?.Uid == null)
        {
            return;
        }
        var node = new Node(resource, meta);
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
                // An owner in foreground deletion waits on its dependents: a change to one may unblock it.
                if (_byUid.TryGetValue(owner.Uid, out var o) && o.Deleting)
                {
                    Enqueue(o.Uid);
                }
            }
        }
        if (node.Deleting || (meta.OwnerReferences?.Count ?? 0) > 0)
        {
            Enqueue(meta.Uid);
        }
    }

    /// <summary>Records a deleted object: its owners may be unblocked, its dependents orphaned.</summary>
    public void Forget(V1ObjectMeta? meta)
    {
        if (meta?.Uid == null)
        {
            return;
        }
        var queue = new List<string>();
        lock (_lock)
        {
            _byUid.Remove(meta.Uid);
            foreach (var owner in meta.OwnerReferences ?? [])
            {
                _dependents.GetValueOrDefault(owner.Uid)?.Remove(meta.Uid);
                if (_byUid.ContainsKey(owner.Uid))
                {
                    queue.Add(owner.Uid);
                }
            }
            if (_dependents.TryGetValue(meta.Uid, out var orphans))
            {
                queue.AddRange(orphans);
            }
        }
        queue.ForEach(Enqueue);
    }

    // ---- the sync: one object by uid ----

    public override async Task SyncAsync(string key, CancellationToken ct)
    {
        Node? node;
        List<Node> dependents;
        lock (_lock)
        {
            node = _byUid.GetValueOrDefault(key);
            dependents = (_dependents.GetValueOrDefault(key) ?? []).Select(_byUid.GetValueOrDefault).OfType<Node>().ToList();
        }
        if (node == null)
        {
            return;
        }
        if (node.Deleting && node.Has(OrphanFinalizer))
        {
            await OrphanDependentsAsync(node, dependents, ct);
        }
        else if (node.Deleting && node.Has(ForegroundFinalizer))
        {
            await DeleteDependentsAsync(node, dependents, ct);
        }
        else if (!node.Deleting && node.Meta.OwnerReferences is { Count: > 0 } owners)
        {
            await CollectIfOrphanedAsync(node, owners, ct);
        }
    }

    private async Task OrphanDependentsAsync(Node owner, List<Node> dependents, CancellationToken ct)
    {
        foreach (var d in dependents)
        {
            var kept = d.Meta.OwnerReferences?.Where(r => r.Uid != owner.Uid).ToList();
            await PatchAsync(d, new JsonObject { ["ownerReferences"] = kept is { Count: > 0 } ? Json(kept) : null }, ct);
        }
        await RemoveFinalizerAsync(owner, OrphanFinalizer, ct);
    }

    private async Task DeleteDependentsAsync(Node owner, List<Node> dependents, CancellationToken ct)
    {
        var blocking = dependents.Where(d => d.Meta.OwnerReferences?.Any(o => o.Uid == owner.Uid && o.BlockOwnerDeletion == true) == true).ToList();
        foreach (var d in dependents.Where(d => !d.Deleting))
        {
            if (await HasSolidOwnerAsync(d, owner.Uid, ct))
            {
                // Another owner still holds it: only the reference to this owner goes, as upstream does.
                var kept = d.Meta.OwnerReferences!.Where(r => r.Uid != owner.Uid).ToList();
                await PatchAsync(d, new JsonObject { ["ownerReferences"] = Json(kept) }, ct);
                continue;
            }
            // A blocking dependent goes in the foreground too, so that the owner waits for its whole subtree.
            await ApiResources.DeleteAsync(_client, d.Resource, d.Meta.NamespaceProperty, d.Meta.Name, d.Uid, blocking.Contains(d) ? "Foreground" : "Background", ct);
        }
        if (blocking.Count == 0)
        {
            await RemoveFinalizerAsync(owner, ForegroundFinalizer, ct);
        }
        // Otherwise each blocking dependent's deletion re-queues the owner.
    }

    private async Task CollectIfOrphanedAsync(Node node, IList<V1OwnerReference> owners, CancellationToken ct)
    {
        var absent = new List<V1OwnerReference>();
        foreach (var owner in owners)
        {
            bool known;
            lock (_lock)
            {
                known = _byUid.ContainsKey(owner.Uid);
            }
            if (!known && !await ExistsAsync(owner, node.Meta.NamespaceProperty, ct))
            {
                absent.Add(owner);
            }
        }
        if (absent.Count == owners.Count)
        {
            // Every owner is gone (an owner deleted with orphan would have released this dependent first).
            await ApiResources.DeleteAsync(_client, node.Resource, node.Meta.NamespaceProperty, node.Meta.Name, node.Uid, "Background", ct);
        }
        else if (absent.Count > 0)
        {
            var kept = owners.Where(o => absent.All(a => a.Uid != o.Uid)).ToList();
            await PatchAsync(node, new JsonObject { ["ownerReferences"] = Json(kept) }, ct);
        }
    }

    /// <summary>Whether <paramref name="dependent"/> has an owner other than <paramref name="except"/> that exists and is not being deleted.</summary>
    private async Task<bool> HasSolidOwnerAsync(Node dependent, string except, CancellationToken ct)
    {
        foreach (var o in dependent.Meta.OwnerReferences ?? [])
        {
            if (o.Uid == except)
            {
                continue;
            }
            Node? known;
            lock (_lock)
            {
                known = _byUid.GetValueOrDefault(o.Uid);
            }
            if (known != null ? !known.Deleting : await ExistsAsync(o, dependent.Meta.NamespaceProperty, ct))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether an owner the graph has not seen exists on the server with the referenced uid.</summary>
    private async Task<bool> ExistsAsync(V1OwnerReference owner, string? ns, CancellationToken ct)
    {
        var group = owner.ApiVersion.Contains('/') ? owner.ApiVersion[..owner.ApiVersion.IndexOf('/')] : "";
        var resource = _resources.FirstOrDefault(r => r.ApiVersion == owner.ApiVersion && r.Kind == owner.Kind)
            ?? _resources.FirstOrDefault(r => r.Group == group && r.Kind == owner.Kind)
            ?? throw new InvalidOperationException($"owner kind {owner.ApiVersion}/{owner.Kind} is not served");
        var meta = await ApiResources.GetMetadataAsync(_client, resource, ns, owner.Name, ct);
        return meta?.Uid == owner.Uid;
    }

    private Task RemoveFinalizerAsync(Node node, string finalizer, CancellationToken ct)
    {
        var kept = node.Meta.Finalizers?.Where(f => f != finalizer).ToList() ?? [];
        return PatchAsync(node, new JsonObject { ["finalizers"] = kept.Count > 0 ? Json(kept) : null }, ct);
    }

    /// <summary>A merge patch of metadata, conditional on the resourceVersion the graph saw (a conflict retries).</summary>
    private Task PatchAsync(Node node, JsonObject metadata, CancellationToken ct)
    {
        metadata["resourceVersion"] = node.Meta.ResourceVersion;
        return ApiResources.PatchMetadataAsync(_client, node.Resource, node.Meta.NamespaceProperty, node.Meta.Name, metadata, ct);
    }

    private static JsonNode? Json<T>(T value) => JsonNode.Parse(KubernetesJson.Serialize(value));

    [LoggerMessage(Level = LogLevel.Warning, Message = "garbage collector: discovery failed, will retry: {Error}")]
    private static partial void LogDiscoveryFailed(ILogger logger, string error);
}
