using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.ReplicaSet;

/// <summary>
/// Upstream's ReplicaSet controller (pkg/controller/replicaset): keeps spec.replicas active pods matching the
/// selector. It claims pods (adopting matching orphans, releasing pods that stopped matching), creates missing
/// pods in slow-start batches of at most <see cref="BurstReplicas"/> per sync, deletes surplus pods in
/// <see cref="PodRanking"/> order, and writes status through the status subresource. Expectations keyed by
/// "namespace/name" keep a sync from acting again before the informer has seen its previous creates and deletes.
/// </summary>
public sealed partial class ReplicaSetController : QueueController
{
    /// <summary>At most this many creates or deletes per sync (upstream burstReplicas).</summary>
    public const int BurstReplicas = 500;

    private const string ControllerKind = "ReplicaSet";
    private const string ControllerApiVersion = "apps/v1";

    private readonly IKubernetes _client;
    private readonly SharedInformer<V1ReplicaSet> _replicaSets;
    private readonly SharedInformer<V1Pod> _pods;
    private readonly PodControl _podControl;
    private readonly TimeProvider _time;

    public ReplicaSetController(ControllerManager manager, TimeProvider? time = null)
        : base("replicaset", manager.Loggers.CreateLogger("replicaset-controller"))
    {
        _client = manager.Client;
        _time = time ?? TimeProvider.System;
        Expectations = new Expectations(_time);
        _podControl = new PodControl(manager.Client, manager.Recorder("replicaset-controller"));
        _replicaSets = manager.Informers.For(ResourceTypes.ReplicaSets);
        _pods = manager.Informers.For(ResourceTypes.Pods);
        _replicaSets.AddEventHandler(onAdd: rs => Enqueue(KeyOf(rs)), onUpdate: UpdateReplicaSet, onDelete: (rs, _) => DeleteReplicaSet(rs));
        _pods.AddEventHandler(onAdd: AddPod, onUpdate: UpdatePod, onDelete: (pod, _) => DeletePod(pod));
    }

    /// <summary>Creates and deletes in flight, per ReplicaSet (exposed for tests).</summary>
    public Expectations Expectations { get; }

    protected override async Task<bool> WaitForCacheSyncAsync(CancellationToken ct) =>
        await _replicaSets.WaitForCacheSyncAsync(ct) && await _pods.WaitForCacheSyncAsync(ct);

    private static string KeyOf(V1ReplicaSet rs) => Indexer<V1ReplicaSet>.KeyOf(rs);

    private static string PodKey(V1Pod pod) => Indexer<V1Pod>.KeyOf(pod);

    // ---- event handlers: compute keys, record observations, enqueue ----

    private void UpdateReplicaSet(V1ReplicaSet old, V1ReplicaSet cur)
    {
        if (old.Metadata.Uid != cur.Metadata.Uid)
        {
            // Deleted and recreated under the same name between two watch events: forget the old one's expectations.
            DeleteReplicaSet(old);
        }
        Enqueue(KeyOf(cur));
    }

    private void DeleteReplicaSet(V1ReplicaSet rs)
    {
        var key = KeyOf(rs);
        Expectations.Delete(key);
        Enqueue(key);
    }

    private void AddPod(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp != null)
        {
            // Seen for the first time already terminating (e.g. after a restart): a deletion, not a creation.
            DeletePod(pod);
            return;
        }
        if (OwnerRefs.ControllerOf(pod.Metadata) is { } controllerRef)
        {
            if (ResolveControllerRef(pod.Metadata.NamespaceProperty, controllerRef) is { } rs)
            {
                var key = KeyOf(rs);
                Expectations.CreationObserved(key);
                Enqueue(key);
            }
            return;
        }
        // An orphan: every ReplicaSet that may adopt it gets a look.
        foreach (var rs in MatchingReplicaSets(pod))
        {
            Enqueue(KeyOf(rs));
        }
    }

    private void UpdatePod(V1Pod old, V1Pod cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion)
        {
            return; // a periodic resync: nothing changed
        }
        var labelsChanged = !LabelsEqual(old.Metadata.Labels, cur.Metadata.Labels);
        if (cur.Metadata.DeletionTimestamp != null)
        {
            // Terminating pods count as deleted at once, so the replacement starts without waiting for the grace period.
            DeletePod(cur);
            if (labelsChanged)
            {
                DeletePod(old);
            }
            return;
        }
        var curRef = OwnerRefs.ControllerOf(cur.Metadata);
        var oldRef = OwnerRefs.ControllerOf(old.Metadata);
        var refChanged = curRef?.Uid != oldRef?.Uid;
        if (refChanged && oldRef != null && ResolveControllerRef(old.Metadata.NamespaceProperty, oldRef) is { } previous)
        {
            Enqueue(KeyOf(previous)); // the old owner lost a pod
        }
        if (curRef != null)
        {
            if (ResolveControllerRef(cur.Metadata.NamespaceProperty, curRef) is { } rs)
            {
                Enqueue(KeyOf(rs));
                // Availability changes minReadySeconds after readiness without another pod event: look again then.
                var minReady = rs.Spec.MinReadySeconds ?? 0;
                if (minReady > 0 && !Pods.IsReady(old) && Pods.IsReady(cur))
                {
                    EnqueueAfter(KeyOf(rs), TimeSpan.FromSeconds(minReady + 1));
                }
            }
            return;
        }
        if (labelsChanged || refChanged)
        {
            foreach (var rs in MatchingReplicaSets(cur))
            {
                Enqueue(KeyOf(rs));
            }
        }
    }

    private void DeletePod(V1Pod pod)
    {
        if (OwnerRefs.ControllerOf(pod.Metadata) is not { } controllerRef
            || ResolveControllerRef(pod.Metadata.NamespaceProperty, controllerRef) is not { } rs)
        {
            return;
        }
        var key = KeyOf(rs);
        Expectations.DeletionObserved(key, PodKey(pod));
        Enqueue(key);
    }

    /// <summary>The cached ReplicaSet a controller reference names, if it is still the same object (uid).</summary>
    private V1ReplicaSet? ResolveControllerRef(string ns, V1OwnerReference controllerRef)
    {
        if (controllerRef.Kind != ControllerKind)
        {
            return null;
        }
        var rs = _replicaSets.Lister.Get(ns, controllerRef.Name);
        return rs?.Metadata.Uid == controllerRef.Uid ? rs : null;
    }

    private List<V1ReplicaSet> MatchingReplicaSets(V1Pod pod)
    {
        var labels = pod.Metadata.Labels;
        if (labels == null || labels.Count == 0)
        {
            return []; // an empty-label pod is matched by no valid (non-empty) selector worth waking for
        }
        return _replicaSets.Lister.List(pod.Metadata.NamespaceProperty)
            .Where(rs => rs.Spec?.Selector is { } s && !IsEmpty(s) && LabelSelectors.Matches(s, labels))
            .ToList();
    }

    private static bool IsEmpty(V1LabelSelector s) => (s.MatchLabels == null || s.MatchLabels.Count == 0) && (s.MatchExpressions == null || s.MatchExpressions.Count == 0);

    private static bool LabelsEqual(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }
        return a == null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    // ---- sync ----

    public override async Task SyncAsync(string key, CancellationToken ct)
    {
        var rs = _replicaSets.Lister.GetByKey(key);
        if (rs == null)
        {
            Expectations.Delete(key);
            return;
        }
        // Checked before the pods are listed: a creation observed in between is then in the list, never missing from it.
        var needsSync = Expectations.Satisfied(key);
        var selector = rs.Spec?.Selector;
        if (selector == null || IsEmpty(selector))
        {
            // Validation rejects these; a controller that took every pod in the namespace would be worse than none.
            LogInvalidSelector(Logger, key);
            return;
        }
        var active = _pods.Lister.List(rs.Metadata.NamespaceProperty).Where(Pods.IsActive).ToList();
        var claimer = new ControllerRefManager<V1Pod>(rs, OwnerRefs.NewControllerRef(rs, ControllerApiVersion, ControllerKind), selector,
            _podControl.PatchAsync, c => CanAdoptAsync(rs, c));
        var pods = await claimer.ClaimAsync(active, ct);

        Exception? manageError = null;
        if (needsSync && rs.Metadata.DeletionTimestamp == null)
        {
            try
            {
                await ManageReplicasAsync(key, rs, pods, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                manageError = e;
            }
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var status = ReplicaSetStatusCalculator.Calculate(rs, pods, manageError, now);
        var updated = await UpdateStatusAsync(rs, status, ct);
        var minReady = rs.Spec?.MinReadySeconds ?? 0;
        if (manageError == null && minReady > 0 && updated.ReadyReplicas == (rs.Spec?.Replicas ?? 1) && updated.AvailableReplicas != (rs.Spec?.Replicas ?? 1))
        {
            // Ready pods become available minReadySeconds later, with no event to wake us: look again then.
            EnqueueAfter(key, TimeSpan.FromSeconds(minReady));
        }
        if (manageError != null)
        {
            throw manageError;
        }
    }

    /// <summary>Upstream re-reads the owner before adopting, so a ReplicaSet being deleted adopts nothing.</summary>
    private async Task<bool> CanAdoptAsync(V1ReplicaSet rs, CancellationToken ct)
    {
        try
        {
            var fresh = await _client.AppsV1.ReadNamespacedReplicaSetAsync(rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct);
            return fresh.Metadata?.Uid == rs.Metadata.Uid && fresh.Metadata.DeletionTimestamp == null;
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return false;
        }
    }

    private async Task ManageReplicasAsync(string key, V1ReplicaSet rs, List<V1Pod> pods, CancellationToken ct)
    {
        var diff = pods.Count - (rs.Spec.Replicas ?? 1);
        if (diff < 0)
        {
            var count = Math.Min(-diff, BurstReplicas);
            // Expect all before the first create: a fast informer may observe a pod before we expect it.
            Expectations.ExpectCreations(key, count);
            LogCreating(Logger, key, count, pods.Count, rs.Spec.Replicas ?? 1);
            var controllerRef = OwnerRefs.NewControllerRef(rs, ControllerApiVersion, ControllerKind);
            var (succeeded, error) = await SlowStart.BatchAsync(count, async _ =>
            {
                try
                {
                    await _podControl.CreateAsync(rs, rs.Spec.Template, controllerRef, ct);
                }
                catch (HttpOperationException e) when (e.Response?.Content?.Contains("\"NamespaceTerminating\"", StringComparison.Ordinal) == true)
                {
                    // The namespace is going away and the ReplicaSet with it: not a failure worth a condition or a retry.
                    Expectations.CreationObserved(key);
                }
                catch (Exception e) when (ApiErrors.Code(e) == System.Net.HttpStatusCode.GatewayTimeout)
                {
                    // Created, but its initialization timed out: the informer will still see it, so the expectation stays.
                }
            });
            // Creates that failed or never ran will never be observed.
            for (var i = succeeded; i < count; i++)
            {
                Expectations.CreationObserved(key);
            }
            if (error != null)
            {
                throw error;
            }
            return;
        }
        if (diff > 0)
        {
            var count = Math.Min(diff, BurstReplicas);
            var victims = PodRanking.PodsToDelete(pods, RelatedPods(rs), count, _time.GetUtcNow().UtcDateTime);
            Expectations.ExpectDeletions(key, victims.Select(PodKey).ToList());
            LogDeleting(Logger, key, count, pods.Count, rs.Spec.Replicas ?? 1);
            var failures = await Expectations.DeleteAllAsync(key, victims, pod => _podControl.DeleteAsync(rs, pod, ct));
            if (failures.Count > 0)
            {
                throw failures[0];
            }
        }
    }

    /// <summary>
    /// Active pods of every ReplicaSet sharing this one's controller (a Deployment's old and new ReplicaSets), used to
    /// prefer deleting pods doubled up on a node. Without a controller there are none, as upstream.
    /// </summary>
    private List<V1Pod> RelatedPods(V1ReplicaSet rs)
    {
        if (OwnerRefs.ControllerOf(rs.Metadata) is not { } owner)
        {
            return [];
        }
        var uids = _replicaSets.Lister.List(rs.Metadata.NamespaceProperty)
            .Where(r => OwnerRefs.IsControlledBy(r.Metadata, owner.Uid))
            .Select(r => r.Metadata.Uid)
            .ToHashSet(StringComparer.Ordinal);
        return _pods.Lister.List(rs.Metadata.NamespaceProperty)
            .Where(p => OwnerRefs.ControllerOf(p.Metadata) is { } r && uids.Contains(r.Uid))
            .ToList();
    }

    /// <summary>Writes status through the status subresource when it changed; one retry on a conflict, as upstream.</summary>
    private async Task<V1ReplicaSetStatus> UpdateStatusAsync(V1ReplicaSet rs, V1ReplicaSetStatus status, CancellationToken ct)
    {
        status.ObservedGeneration = rs.Metadata.Generation;
        if (ReplicaSetStatusCalculator.Equal(rs.Status, status))
        {
            return status;
        }
        var copy = KubernetesJson.Deserialize<V1ReplicaSet>(KubernetesJson.Serialize(rs));
        for (var attempt = 0; ; attempt++)
        {
            copy.Status = status;
            try
            {
                await _client.AppsV1.ReplaceNamespacedReplicaSetStatusAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
                return status;
            }
            catch (Exception e) when (attempt == 0 && ApiErrors.IsConflict(e))
            {
                copy = await _client.AppsV1.ReadNamespacedReplicaSetAsync(rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct);
                if (copy.Metadata.Uid != rs.Metadata.Uid)
                {
                    return status; // replaced by a new ReplicaSet of the same name: its own sync writes its status
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "replicaset {Key}: empty or missing selector, not managing pods")]
    private static partial void LogInvalidSelector(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "replicaset {Key}: too few replicas (have {Have}, want {Want}), creating {Count}")]
    private static partial void LogCreating(ILogger logger, string key, int count, int have, int want);

    [LoggerMessage(Level = LogLevel.Debug, Message = "replicaset {Key}: too many replicas (have {Have}, want {Want}), deleting {Count}")]
    private static partial void LogDeleting(ILogger logger, string key, int count, int have, int want);
}
