using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.DaemonSet;

/// <summary>
/// Upstream's DaemonSet controller (pkg/controller/daemon): one pod per eligible node. Pods are created pinned to
/// their node by a metadata.name node affinity and bound by the scheduler; pods on nodes that stopped qualifying
/// (or that are gone) are deleted, failed ones replaced with backoff. Template changes roll out through
/// ControllerRevisions (<see cref="ConstructHistoryAsync"/>) with the RollingUpdate or OnDelete strategy.
/// Handlers only enqueue DaemonSet keys; <see cref="SyncAsync"/> works from the informer caches.
/// </summary>
public sealed partial class DaemonSetController : QueueController
{
    /// <summary>Upstream BurstReplicas: at most this many creates (and deletes) per sync.</summary>
    public const int BurstReplicas = 250;

    private readonly IKubernetes _client;
    private readonly EventRecorder _events;
    private readonly PodControl _podControl;
    private readonly SharedInformer<V1DaemonSet> _daemonSets;
    private readonly SharedInformer<V1Pod> _pods;
    private readonly SharedInformer<V1Node> _nodes;
    private readonly SharedInformer<V1ControllerRevision> _revisions;
    private readonly TimeProvider _time;
    private readonly FailedPodBackoff _failedPodsBackoff;

    public Expectations Expectations { get; }

    public DaemonSetController(ControllerManager manager, TimeProvider? time = null)
        : base("daemonset-controller", manager.Loggers.CreateLogger("daemonset-controller"))
    {
        _client = manager.Client;
        _time = time ?? TimeProvider.System;
        _events = manager.Recorder("daemonset-controller");
        _podControl = new PodControl(_client, _events);
        Expectations = new Expectations(_time);
        _failedPodsBackoff = new FailedPodBackoff(_time);
        _daemonSets = manager.Informers.For(ResourceTypes.DaemonSets);
        _pods = manager.Informers.For(ResourceTypes.Pods);
        _nodes = manager.Informers.For(ResourceTypes.Nodes);
        _revisions = manager.Informers.For(ResourceTypes.ControllerRevisions);

        EnqueueOnEveryChange(_daemonSets);
        _pods.AddEventHandler(onAdd: AddPod, onUpdate: UpdatePod, onDelete: (p, _) => DeletePod(p));
        _nodes.AddEventHandler(onAdd: AddNode, onUpdate: UpdateNode, onDelete: (_, _) => EnqueueAll());
        _revisions.AddEventHandler(
            onAdd: EnqueueForRevision,
            onUpdate: (old, cur) =>
            {
                if (old.Metadata.ResourceVersion != cur.Metadata.ResourceVersion)
                {
                    EnqueueForRevision(cur);
                }
            },
            onDelete: (r, _) => EnqueueForRevision(r));
    }

    protected override async Task<bool> WaitForCacheSyncAsync(CancellationToken ct) =>
        await _daemonSets.WaitForCacheSyncAsync(ct) && await _pods.WaitForCacheSyncAsync(ct)
        && await _nodes.WaitForCacheSyncAsync(ct) && await _revisions.WaitForCacheSyncAsync(ct);

    private static V1OwnerReference ControllerRef(V1DaemonSet ds) => OwnerRefs.NewControllerRef(ds, "apps/v1", "DaemonSet");

    // ---- event handlers: they only enqueue -------------------------------------------------------------------

    private V1DaemonSet? ResolveControllerRef(string? ns, V1OwnerReference? r)
    {
        if (r is not { Kind: "DaemonSet" })
        {
            return null;
        }
        var ds = _daemonSets.Lister.Get(ns, r.Name);
        return ds?.Metadata.Uid == r.Uid ? ds : null;
    }

    /// <summary>The DaemonSets whose selector matches an orphan (upstream GetPodDaemonSets / getDaemonSetsForHistory).</summary>
    private IEnumerable<V1DaemonSet> Matching(V1ObjectMeta meta) =>
        _daemonSets.Lister.List(meta.NamespaceProperty ?? "").Where(ds =>
            ds.Spec?.Selector != null && !IsEverything(ds.Spec.Selector) && LabelSelectors.Matches(ds.Spec.Selector, meta.Labels ?? new Dictionary<string, string>()));

    private static bool IsEverything(V1LabelSelector s) => s.MatchLabels is not { Count: > 0 } && s.MatchExpressions is not { Count: > 0 };

    private void AddPod(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp != null)
        {
            // Seen for the first time already terminating (a restart): it counts as a deletion.
            DeletePod(pod);
            return;
        }
        if (OwnerRefs.ControllerOf(pod.Metadata) is { } r)
        {
            if (ResolveControllerRef(pod.Metadata.NamespaceProperty, r) is { } ds)
            {
                var key = Indexer<V1DaemonSet>.KeyOf(ds);
                Expectations.CreationObserved(key);
                Enqueue(key);
            }
            return;
        }
        foreach (var ds in Matching(pod.Metadata))
        {
            Enqueue(Indexer<V1DaemonSet>.KeyOf(ds));
        }
    }

    private void UpdatePod(V1Pod old, V1Pod cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion)
        {
            return;
        }
        if (cur.Metadata.DeletionTimestamp != null)
        {
            DeletePod(cur);
            return;
        }
        var oldRef = OwnerRefs.ControllerOf(old.Metadata);
        var curRef = OwnerRefs.ControllerOf(cur.Metadata);
        var refChanged = oldRef?.Uid != curRef?.Uid;
        if (refChanged && ResolveControllerRef(old.Metadata.NamespaceProperty, oldRef) is { } oldDs)
        {
            Enqueue(Indexer<V1DaemonSet>.KeyOf(oldDs));
        }
        if (curRef != null)
        {
            if (ResolveControllerRef(cur.Metadata.NamespaceProperty, curRef) is { } ds)
            {
                var key = Indexer<V1DaemonSet>.KeyOf(ds);
                Enqueue(key);
                // Becoming available takes minReadySeconds after becoming ready: look again then.
                if (!Pods.IsReady(old) && Pods.IsReady(cur) && ds.Spec.MinReadySeconds is > 0 and var s)
                {
                    EnqueueAfter(key, TimeSpan.FromSeconds(s + 1));
                }
            }
            return;
        }
        if (refChanged || !LabelsEqual(old.Metadata.Labels, cur.Metadata.Labels))
        {
            foreach (var ds in Matching(cur.Metadata))
            {
                Enqueue(Indexer<V1DaemonSet>.KeyOf(ds));
            }
        }
    }

    private static bool LabelsEqual(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a == null || a.All(kv => b != null && b.TryGetValue(kv.Key, out var v) && v == kv.Value));

    private void DeletePod(V1Pod pod)
    {
        if (ResolveControllerRef(pod.Metadata.NamespaceProperty, OwnerRefs.ControllerOf(pod.Metadata)) is { } ds)
        {
            var key = Indexer<V1DaemonSet>.KeyOf(ds);
            Expectations.DeletionObserved(key, Indexer<V1Pod>.KeyOf(pod));
            Enqueue(key);
        }
    }

    private void AddNode(V1Node node)
    {
        foreach (var ds in _daemonSets.Lister.List())
        {
            if (DaemonPods.NodeShouldRun(node, ds).ShouldRun)
            {
                Enqueue(Indexer<V1DaemonSet>.KeyOf(ds));
            }
        }
    }

    /// <summary>Labels, taints or conditions changed: the DaemonSets whose verdict on the node changed sync.</summary>
    private void UpdateNode(V1Node old, V1Node cur)
    {
        foreach (var ds in _daemonSets.Lister.List())
        {
            if (DaemonPods.NodeShouldRun(old, ds) != DaemonPods.NodeShouldRun(cur, ds))
            {
                Enqueue(Indexer<V1DaemonSet>.KeyOf(ds));
            }
        }
    }

    private void EnqueueAll()
    {
        foreach (var ds in _daemonSets.Lister.List())
        {
            Enqueue(Indexer<V1DaemonSet>.KeyOf(ds));
        }
    }

    private void EnqueueForRevision(V1ControllerRevision r)
    {
        if (OwnerRefs.ControllerOf(r.Metadata) is { } owner)
        {
            if (ResolveControllerRef(r.Metadata.NamespaceProperty, owner) is { } ds)
            {
                Enqueue(Indexer<V1DaemonSet>.KeyOf(ds));
            }
            return;
        }
        foreach (var ds in Matching(r.Metadata))
        {
            Enqueue(Indexer<V1DaemonSet>.KeyOf(ds));
        }
    }

    // ---- sync -----------------------------------------------------------------------------------------------

    public override async Task SyncAsync(string key, CancellationToken ct)
    {
        var ds = _daemonSets.Lister.GetByKey(key);
        if (ds == null)
        {
            Expectations.Delete(key);
            _failedPodsBackoff.Forget(key);
            return;
        }
        if (ds.Spec?.Selector == null || IsEverything(ds.Spec.Selector))
        {
            _events.Event(ds, "Warning", "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.");
            return;
        }
        var nodes = _nodes.Lister.List();
        // A DaemonSet being deleted is left to the garbage collector.
        if (ds.Metadata.DeletionTimestamp != null)
        {
            return;
        }
        var (current, old) = await ConstructHistoryAsync(ds, ct);
        var hash = RevisionHash(current);
        if (!Expectations.Satisfied(key))
        {
            // Creates or deletes are still in flight: report, act once the cache caught up.
            await UpdateStatusAsync(ds, nodes, hash, updateObservedGeneration: false, ct);
            return;
        }
        Exception? error = null;
        try
        {
            await ManageAsync(ds, nodes, hash, ct);
            if (Expectations.Satisfied(key) && ds.Spec.UpdateStrategy?.Type != "OnDelete")
            {
                await RollingUpdateAsync(ds, nodes, hash, ct);
            }
            await CleanupHistoryAsync(ds, old, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error = e;
        }
        await UpdateStatusAsync(ds, nodes, hash, updateObservedGeneration: true, ct);
        if (error != null)
        {
            throw error;
        }
    }

    private async Task<bool> CanAdoptAsync(V1DaemonSet ds, CancellationToken ct)
    {
        // Upstream RecheckDeletionTimestamp: a fresh read, so a DaemonSet deleted since the cache filled adopts nothing.
        var fresh = await _client.AppsV1.ReadNamespacedDaemonSetAsync(ds.Metadata.Name, ds.Metadata.NamespaceProperty, cancellationToken: ct);
        return fresh.Metadata.Uid == ds.Metadata.Uid && fresh.Metadata.DeletionTimestamp == null;
    }

    /// <summary>
    /// The DaemonSet's pods (after adoption and release) by the node they are for (upstream getNodesToDaemonPods).
    /// Terminal pods that are being deleted are left out unless <paramref name="includeDeletedTerminal"/>.
    /// </summary>
    private async Task<Dictionary<string, List<V1Pod>>> NodesToDaemonPodsAsync(V1DaemonSet ds, bool includeDeletedTerminal, CancellationToken ct)
    {
        var manager = new ControllerRefManager<V1Pod>(ds, ControllerRef(ds), ds.Spec.Selector, _podControl.PatchAsync, c => CanAdoptAsync(ds, c));
        var claimed = await manager.ClaimAsync(_pods.Lister.List(ds.Metadata.NamespaceProperty), ct);
        var byNode = new Dictionary<string, List<V1Pod>>(StringComparer.Ordinal);
        foreach (var pod in claimed)
        {
            if (!includeDeletedTerminal && pod.Status?.Phase is "Succeeded" or "Failed" && pod.Metadata.DeletionTimestamp != null)
            {
                continue;
            }
            if (DaemonPods.TargetNodeName(pod) is not { } node)
            {
                continue;
            }
            if (!byNode.TryGetValue(node, out var list))
            {
                byNode[node] = list = [];
            }
            list.Add(pod);
        }
        return byNode;
    }

    /// <summary>Upstream manage: per node, which pods to create and delete; then <see cref="SyncNodesAsync"/>.</summary>
    private async Task ManageAsync(V1DaemonSet ds, List<V1Node> nodes, string hash, CancellationToken ct)
    {
        var byNode = await NodesToDaemonPodsAsync(ds, includeDeletedTerminal: false, ct);
        var create = new List<string>();
        var delete = new List<V1Pod>();
        foreach (var node in nodes)
        {
            PodsShouldBeOnNode(node, byNode, ds, hash, create, delete);
        }
        // Pods for nodes that no longer exist. Upstream deletes only the unscheduled ones here and leaves bound
        // ones to the pod garbage collector, which Coxswain does not run: this controller deletes both, at once
        // as the pod GC does (see DeletePodAsync).
        var existing = nodes.Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (node, pods) in byNode)
        {
            if (!existing.Contains(node))
            {
                delete.AddRange(pods.Where(p => p.Metadata.DeletionTimestamp == null));
            }
        }
        await SyncNodesAsync(ds, delete, create, hash, ct);
    }

    private void PodsShouldBeOnNode(V1Node node, Dictionary<string, List<V1Pod>> byNode, V1DaemonSet ds, string hash, List<string> create, List<V1Pod> delete)
    {
        var (shouldRun, shouldContinueRunning) = DaemonPods.NodeShouldRun(node, ds);
        var exists = byNode.TryGetValue(node.Metadata.Name, out var daemonPods);
        if (shouldRun && !exists)
        {
            create.Add(node.Metadata.Name);
            return;
        }
        if (!exists)
        {
            return;
        }
        if (!shouldContinueRunning)
        {
            delete.AddRange(daemonPods!.Where(p => p.Metadata.DeletionTimestamp == null));
            return;
        }
        var running = new List<V1Pod>();
        foreach (var pod in daemonPods!)
        {
            if (pod.Metadata.DeletionTimestamp != null)
            {
                continue;
            }
            if (pod.Status?.Phase == "Failed")
            {
                // The kubelet may keep rejecting the pod: replace it with a per-node backoff instead of hot-looping.
                var backoffKey = $"{ds.Metadata.NamespaceProperty}/{ds.Metadata.Name}/{node.Metadata.Name}";
                if (_failedPodsBackoff.InBackoff(backoffKey, out var delay))
                {
                    EnqueueAfter(Indexer<V1DaemonSet>.KeyOf(ds), delay);
                    continue;
                }
                _failedPodsBackoff.Next(backoffKey);
                _events.Event(ds, "Warning", "FailedDaemonPod", $"Found failed daemon pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} on node {node.Metadata.Name}, will try to kill it");
                delete.Add(pod);
            }
            else if (pod.Status?.Phase == "Succeeded")
            {
                _events.Event(ds, "Normal", "SucceededDaemonPod", $"Found succeeded daemon pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} on node {node.Metadata.Name}, will try to delete it");
                delete.Add(pod);
            }
            else
            {
                running.Add(pod);
            }
        }
        running.Sort(DaemonPods.CompareByAge);
        if (!AllowsSurge(ds))
        {
            // One pod per node: the oldest stays.
            delete.AddRange(running.Skip(1));
            return;
        }
        if (running.Count == 0)
        {
            if (shouldRun)
            {
                create.Add(node.Metadata.Name);
            }
            return;
        }
        // Surging: an old and a new pod may share the node until the new one is available (or the old one is not
        // ready); everything else goes.
        V1Pod? oldestNew = null, oldestOld = null;
        foreach (var pod in running)
        {
            var isNew = pod.Metadata.Labels?.TryGetValue(DaemonPods.RevisionHashLabel, out var h) == true && h == hash;
            if (isNew && oldestNew == null)
            {
                oldestNew = pod;
            }
            else if (!isNew && oldestOld == null)
            {
                oldestOld = pod;
            }
            else
            {
                delete.Add(pod);
            }
        }
        if (oldestNew != null && oldestOld != null
            && (!Pods.IsReady(oldestOld) || Pods.IsAvailable(oldestNew, ds.Spec.MinReadySeconds ?? 0, _time.GetUtcNow().UtcDateTime)))
        {
            delete.Add(oldestOld);
        }
    }

    /// <summary>
    /// Upstream syncNodes: expectations first, then creates in slow-start batches (each pod pinned to its node by
    /// node affinity, labelled with the revision hash) and deletes. Returns after all, throwing the first error.
    /// </summary>
    private async Task SyncNodesAsync(V1DaemonSet ds, List<V1Pod> podsToDelete, List<string> nodesNeedingPods, string hash, CancellationToken ct)
    {
        var key = Indexer<V1DaemonSet>.KeyOf(ds);
        var creates = nodesNeedingPods.Take(BurstReplicas).ToList();
        var deletes = podsToDelete.Take(BurstReplicas).ToList();
        Expectations.Expect(key, creates.Count, deletes.Select(Indexer<V1Pod>.KeyOf).ToList());
        var generation = DaemonPods.TemplateGeneration(ds);
        var controllerRef = ControllerRef(ds);
        var errors = new List<Exception>();

        var attempted = 0;
        var (_, createError) = await SlowStart.BatchAsync(creates.Count, async i =>
        {
            Interlocked.Increment(ref attempted);
            try
            {
                await _podControl.CreateAsync(ds, ds.Spec.Template, controllerRef, ct, customize: pod =>
                {
                    pod.Metadata.Labels ??= new Dictionary<string, string>();
                    pod.Metadata.Labels[DaemonPods.RevisionHashLabel] = hash;
                    if (generation != null)
                    {
                        pod.Metadata.Labels[DaemonPods.TemplateGenerationLabel] = generation.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                    pod.Spec.Tolerations = DaemonPods.WithAutomaticTolerations(pod.Spec);
                    pod.Spec.Affinity = DaemonPods.PinToNode(pod.Spec.Affinity, creates[i]);
                });
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // Never to be observed: stop waiting for it.
                Expectations.CreationObserved(key);
                throw;
            }
        });
        if (createError != null)
        {
            errors.Add(createError);
            // The creates slow start skipped will not be observed either; the next sync retries them.
            for (var i = attempted; i < creates.Count; i++)
            {
                Expectations.CreationObserved(key);
            }
        }

        errors.AddRange(await Expectations.DeleteAllAsync(key, deletes, pod => DeletePodAsync(ds, pod, ct)));
        if (errors.Count > 0)
        {
            throw errors.Count == 1 ? errors[0] : new AggregateException(errors);
        }
    }

    /// <summary>
    /// Deletes a pod; a pod whose node is gone is deleted at once (grace period 0, as upstream's pod GC does with
    /// orphaned pods), since no kubelet will ever confirm a graceful deletion. False if it was already gone.
    /// </summary>
    private async Task<bool> DeletePodAsync(V1DaemonSet ds, V1Pod pod, CancellationToken ct)
    {
        if (DaemonPods.TargetNodeName(pod) is not { } node || _nodes.Lister.Get(node) != null)
        {
            return await _podControl.DeleteAsync(ds, pod, ct);
        }
        try
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
            _events.Event(ds, "Normal", "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
            return true;
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
        {
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _events.Event(ds, "Warning", "FailedDelete", $"Error deleting: {ApiErrors.Message(e)}");
            throw;
        }
    }
}
