using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.StatefulSet;

/// <summary>
/// Upstream's StatefulSet controller (pkg/controller/statefulset): pods with stable names and storage, created in
/// ordinal order and removed in reverse (OrderedReady) or all at once (Parallel), rolled to a new revision from the
/// highest ordinal down to the partition, with ControllerRevisions recording each pod template. Handlers enqueue
/// the owning set; <see cref="SyncAsync"/> claims the set's revisions and pods and runs one pass of
/// <see cref="StatefulSetControl"/>.
/// </summary>
public sealed partial class StatefulSetController : QueueController
{
    private readonly IKubernetes _client;
    private readonly SharedInformer<V1StatefulSet> _sets;
    private readonly SharedInformer<V1Pod> _pods;
    private readonly SharedInformer<V1ControllerRevision> _revisions;
    private readonly SharedInformer<V1PersistentVolumeClaim> _claims;
    private readonly StatefulSetControl _control;

    public StatefulSetController(ControllerManager manager, TimeProvider? time = null)
        : base("statefulset", manager.Loggers.CreateLogger("statefulset-controller"))
    {
        _client = manager.Client;
        _sets = manager.Informers.For(ResourceTypes.StatefulSets);
        _pods = manager.Informers.For(ResourceTypes.Pods);
        _revisions = manager.Informers.For(ResourceTypes.ControllerRevisions);
        _claims = manager.Informers.For(ResourceTypes.PersistentVolumeClaims);
        var events = manager.Recorder("statefulset-controller");
        _control = new StatefulSetControl(_client, events, new StatefulPodControl(_client, events, _claims.Lister),
            _revisions.Lister, time ?? TimeProvider.System);

        EnqueueOnEveryChange(_sets);
        _pods.AddEventHandler(onAdd: OnPod, onUpdate: OnPodUpdate, onDelete: (p, _) => OnPod(p));
    }

    protected override async Task<bool> WaitForCacheSyncAsync(CancellationToken ct) =>
        await _sets.WaitForCacheSyncAsync(ct) && await _pods.WaitForCacheSyncAsync(ct)
        && await _revisions.WaitForCacheSyncAsync(ct) && await _claims.WaitForCacheSyncAsync(ct);

    private void OnPodUpdate(V1Pod old, V1Pod pod)
    {
        if (old.Metadata.ResourceVersion == pod.Metadata.ResourceVersion)
        {
            return; // a resync: nothing changed
        }
        var oldRef = OwnerRefs.ControllerOf(old.Metadata);
        var newRef = OwnerRefs.ControllerOf(pod.Metadata);
        if (oldRef != null && oldRef.Uid != newRef?.Uid)
        {
            EnqueueOwner(pod.Metadata.NamespaceProperty, oldRef);
        }
        OnPod(pod);
    }

    /// <summary>A pod changed: sync its controlling set, or, for an orphan, every set that could adopt it.</summary>
    private void OnPod(V1Pod pod)
    {
        if (OwnerRefs.ControllerOf(pod.Metadata) is { } owner)
        {
            EnqueueOwner(pod.Metadata.NamespaceProperty, owner);
            return;
        }
        if (pod.Metadata.DeletionTimestamp != null)
        {
            return;
        }
        foreach (var set in _sets.Lister.List(pod.Metadata.NamespaceProperty))
        {
            if (set.Spec?.Selector != null && LabelSelectors.Matches(set.Spec.Selector, pod.Metadata.Labels ?? new Dictionary<string, string>()))
            {
                Enqueue(Indexer<V1StatefulSet>.KeyOf(set));
            }
        }
    }

    private void EnqueueOwner(string ns, V1OwnerReference owner)
    {
        if (owner.Kind != "StatefulSet")
        {
            return;
        }
        var set = _sets.Lister.Get(ns, owner.Name);
        if (set != null && set.Metadata.Uid == owner.Uid)
        {
            Enqueue(Indexer<V1StatefulSet>.KeyOf(set));
        }
    }

    public override async Task SyncAsync(string key, CancellationToken ct)
    {
        var set = _sets.Lister.GetByKey(key);
        if (set == null)
        {
            return; // deleted: its pods, claims and revisions go with the garbage collector
        }
        if (set.Spec?.Selector == null || set.Spec.Template == null)
        {
            return; // the API server rejects such a set; nothing sensible to do
        }
        var controllerRef = OwnerRefs.NewControllerRef(set, "apps/v1", "StatefulSet");
        var ns = set.Metadata.NamespaceProperty;

        var revisionManager = new ControllerRefManager<V1ControllerRevision>(set, controllerRef, set.Spec.Selector,
            (n, name, body, c) => _client.AppsV1.PatchNamespacedControllerRevisionAsync(new V1Patch(body, V1Patch.PatchType.StrategicMergePatch), name, n, cancellationToken: c),
            c => CanAdoptAsync(set, c));
        var revisions = await revisionManager.ClaimAsync(_revisions.Lister.List(ns, set.Spec.Selector), ct);

        var podManager = new ControllerRefManager<V1Pod>(set, controllerRef, set.Spec.Selector,
            (n, name, body, c) => _client.CoreV1.PatchNamespacedPodAsync(new V1Patch(body, V1Patch.PatchType.StrategicMergePatch), name, n, cancellationToken: c),
            c => CanAdoptAsync(set, c));
        // Only pods whose name makes them members (upstream isMemberOf) are candidates, so a stray pod that merely
        // matches the selector is never adopted, and no ordinal is read from another set's naming.
        var candidates = _pods.Lister.List(ns).Where(p => StatefulSetUtils.IsMemberOf(set, p));
        var pods = await podManager.ClaimAsync(candidates, ct);

        var status = await _control.UpdateAsync(set, pods, revisions, ct);

        // Pods that are Ready but not yet available count once minReadySeconds has passed: look again then.
        var minReady = set.Spec.MinReadySeconds ?? 0;
        if (minReady > 0 && status != null && status.ReadyReplicas != status.AvailableReplicas)
        {
            EnqueueAfter(key, TimeSpan.FromSeconds(minReady));
        }
    }

    /// <summary>Upstream re-reads the set before adopting: one deleted meanwhile (or replaced) must adopt nothing.</summary>
    private async Task<bool> CanAdoptAsync(V1StatefulSet set, CancellationToken ct)
    {
        var fresh = await _client.AppsV1.ReadNamespacedStatefulSetAsync(set.Metadata.Name, set.Metadata.NamespaceProperty, cancellationToken: ct);
        return fresh.Metadata.Uid == set.Metadata.Uid && fresh.Metadata.DeletionTimestamp == null;
    }
}
