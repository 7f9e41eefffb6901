using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.Deployment;

/// <summary>
/// Upstream's deployment controller: a Deployment owns ReplicaSets, one per pod template it has had, named
/// `&lt;deployment&gt;-&lt;pod-template-hash&gt;`. A sync claims the ReplicaSets, finds (or creates) the one for the current
/// template and moves replicas to it by the deployment's strategy (RollingUpdate within maxSurge/maxUnavailable, or
/// Recreate), scales all of them proportionally when the deployment is resized mid-rollout, prunes old empty
/// ReplicaSets past revisionHistoryLimit and writes status and the Available/Progressing conditions that
/// `kubectl rollout status` reads. The files of this class are split by concern: sync/scale, rolling, recreate,
/// progress/status.
/// </summary>
public sealed partial class DeploymentController : QueueController
{
    private readonly IKubernetes _client;
    private readonly SharedInformer<V1Deployment> _deployments;
    private readonly SharedInformer<V1ReplicaSet> _replicaSets;
    private readonly SharedInformer<V1Pod> _pods;
    private readonly EventRecorder _recorder;
    private readonly TimeProvider _time;

    public DeploymentController(ControllerManager manager, TimeProvider? time = null)
        : base("deployment", manager.Loggers.CreateLogger("deployment-controller"))
    {
        _client = manager.Client;
        _time = time ?? TimeProvider.System;
        _recorder = manager.Recorder("deployment-controller");
        _deployments = manager.Informers.For(ResourceTypes.Deployments);
        _replicaSets = manager.Informers.For(ResourceTypes.ReplicaSets);
        _pods = manager.Informers.For(ResourceTypes.Pods);

        EnqueueOnEveryChange(_deployments);
        _replicaSets.AddEventHandler(onAdd: OnReplicaSetAdded, onUpdate: OnReplicaSetUpdated, onDelete: (rs, _) => EnqueueController(rs));
        _pods.AddEventHandler(onDelete: (pod, _) => OnPodDeleted(pod));
    }

    protected override async Task<bool> WaitForCacheSyncAsync(CancellationToken ct) =>
        await _deployments.WaitForCacheSyncAsync(ct) && await _replicaSets.WaitForCacheSyncAsync(ct) && await _pods.WaitForCacheSyncAsync(ct);

    /// <summary>Waits until the events recorded so far are written (tests).</summary>
    internal Task FlushEventsAsync() => _recorder.FlushAsync();

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    private void OnReplicaSetAdded(V1ReplicaSet rs)
    {
        if (OwnerRefs.ControllerOf(rs.Metadata) != null)
        {
            EnqueueController(rs);
            return;
        }
        // An orphan: the deployments that select it may adopt it.
        foreach (var d in DeploymentsSelecting(rs))
        {
            Enqueue(Indexer<V1Deployment>.KeyOf(d));
        }
    }

    private void OnReplicaSetUpdated(V1ReplicaSet old, V1ReplicaSet cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion)
        {
            return;
        }
        var oldRef = OwnerRefs.ControllerOf(old.Metadata);
        var curRef = OwnerRefs.ControllerOf(cur.Metadata);
        if (oldRef != null && oldRef.Uid != curRef?.Uid)
        {
            EnqueueController(old);
        }
        if (curRef != null)
        {
            EnqueueController(cur);
        }
        else if (oldRef != null || !LabelsEqual(old.Metadata.Labels, cur.Metadata.Labels))
        {
            OnReplicaSetAdded(cur);
        }
    }

    // Recreate waits for the old pods to be gone before it creates the new ReplicaSet.
    private void OnPodDeleted(V1Pod pod)
    {
        var rsRef = OwnerRefs.ControllerOf(pod.Metadata);
        if (rsRef?.Kind != "ReplicaSet")
        {
            return;
        }
        var rs = _replicaSets.Lister.Get(pod.Metadata.NamespaceProperty, rsRef.Name);
        if (rs == null || rs.Metadata.Uid != rsRef.Uid)
        {
            return;
        }
        var d = ControllerOf(rs);
        if (d != null && !DeploymentUtil.IsRollingUpdate(d))
        {
            Enqueue(Indexer<V1Deployment>.KeyOf(d));
        }
    }

    private void EnqueueController(V1ReplicaSet rs)
    {
        if (ControllerOf(rs) is { } d)
        {
            Enqueue(Indexer<V1Deployment>.KeyOf(d));
        }
    }

    private V1Deployment? ControllerOf(V1ReplicaSet rs)
    {
        var r = OwnerRefs.ControllerOf(rs.Metadata);
        if (r?.Kind != "Deployment")
        {
            return null;
        }
        var d = _deployments.Lister.Get(rs.Metadata.NamespaceProperty, r.Name);
        return d?.Metadata.Uid == r.Uid ? d : null;
    }

    private IEnumerable<V1Deployment> DeploymentsSelecting(V1ReplicaSet rs)
    {
        var labels = rs.Metadata.Labels ?? new Dictionary<string, string>();
        foreach (var d in _deployments.Lister.List(rs.Metadata.NamespaceProperty))
        {
            if (!SelectsNothingOrEverything(d.Spec.Selector) && LabelSelectors.Matches(d.Spec.Selector, labels))
            {
                yield return d;
            }
        }
    }

    private static bool SelectsNothingOrEverything(V1LabelSelector? s) =>
        s == null || ((s.MatchLabels == null || s.MatchLabels.Count == 0) && (s.MatchExpressions == null || s.MatchExpressions.Count == 0));

    private static bool LabelsEqual(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a == null || a.All(kv => b != null && b.TryGetValue(kv.Key, out var v) && v == kv.Value));

    public override async Task SyncAsync(string key, CancellationToken ct)
    {
        var cached = _deployments.Lister.GetByKey(key);
        if (cached == null)
        {
            return;
        }
        var d = DeploymentUtil.Clone(cached);
        if (SelectsNothingOrEverything(d.Spec.Selector))
        {
            _recorder.Event(d, EventTypes.Warning, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            if ((d.Status?.ObservedGeneration ?? 0) < (d.Metadata.Generation ?? 0))
            {
                d.Status ??= new V1DeploymentStatus();
                d.Status.ObservedGeneration = d.Metadata.Generation;
                await UpdateStatusAsync(d, ct);
            }
            return;
        }
        d.Status ??= new V1DeploymentStatus();
        var rsList = await ClaimReplicaSetsAsync(d, ct);
        if (d.Metadata.DeletionTimestamp != null)
        {
            await SyncStatusOnlyAsync(d, rsList, ct);
            return;
        }
        await CheckPausedConditionsAsync(d, ct);
        if (d.Spec.Paused == true)
        {
            await ScaleOnlyAsync(d, rsList, ct);
            return;
        }
        if (await IsScalingEventAsync(d, rsList, ct))
        {
            await ScaleOnlyAsync(d, rsList, ct);
            return;
        }
        if (DeploymentUtil.IsRollingUpdate(d))
        {
            await RolloutRollingAsync(d, rsList, ct);
        }
        else
        {
            await RolloutRecreateAsync(d, rsList, PodsByReplicaSet(d, rsList), ct);
        }
    }

    /// <summary>The ReplicaSets this deployment controls, adopting matching orphans and releasing ones it no longer selects.</summary>
    private async Task<List<V1ReplicaSet>> ClaimReplicaSetsAsync(V1Deployment d, CancellationToken ct)
    {
        var ns = d.Metadata.NamespaceProperty;
        var controllerRef = OwnerRefs.NewControllerRef(d, "apps/v1", "Deployment");
        var manager = new ControllerRefManager<V1ReplicaSet>(d, controllerRef, d.Spec.Selector,
            (pns, name, body, c) => _client.AppsV1.PatchNamespacedReplicaSetAsync(new V1Patch(body, V1Patch.PatchType.StrategicMergePatch), name, pns, cancellationToken: c),
            async c =>
            {
                // Adopt only if the deployment read fresh from the API is still this one and not being deleted.
                var fresh = await _client.AppsV1.ReadNamespacedDeploymentAsync(d.Metadata.Name, ns, cancellationToken: c);
                return fresh.Metadata.Uid == d.Metadata.Uid && fresh.Metadata.DeletionTimestamp == null;
            });
        var claimed = await manager.ClaimAsync(_replicaSets.Lister.List(ns), ct);
        // Adoption changed the objects on the server only; the copies here are what the rest of the sync reads.
        return [.. claimed.Select(DeploymentUtil.Clone)];
    }

    /// <summary>Pods of the deployment by the uid of the ReplicaSet controlling them (Recreate waits on them).</summary>
    private Dictionary<string, List<V1Pod>> PodsByReplicaSet(V1Deployment d, List<V1ReplicaSet> rsList)
    {
        var uids = rsList.Select(rs => rs.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        var map = rsList.ToDictionary(rs => rs.Metadata.Uid, _ => new List<V1Pod>(), StringComparer.Ordinal);
        foreach (var pod in _pods.Lister.List(d.Metadata.NamespaceProperty, d.Spec.Selector))
        {
            var r = OwnerRefs.ControllerOf(pod.Metadata);
            if (r != null && uids.Contains(r.Uid))
            {
                map[r.Uid].Add(pod);
            }
        }
        return map;
    }

    private async Task UpdateStatusAsync(V1Deployment d, CancellationToken ct)
    {
        V1Deployment updated;
        try
        {
            updated = await _client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(d, d.Metadata.Name, d.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            // The cache lagged behind this controller's own last status write. A lost write could be one that is never
            // made again (the "Created new replica set" condition starts the progress deadline), so it is written on
            // the latest object, as long as that still has the spec this status was computed from.
            var latest = await _client.AppsV1.ReadNamespacedDeploymentAsync(d.Metadata.Name, d.Metadata.NamespaceProperty, cancellationToken: ct);
            if (latest.Metadata.Uid != d.Metadata.Uid || latest.Metadata.Generation != d.Metadata.Generation)
            {
                throw;
            }
            latest.Status = d.Status;
            updated = await _client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(latest, d.Metadata.Name, d.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        // Later writes in this sync carry the new resourceVersion.
        d.Metadata.ResourceVersion = updated?.Metadata?.ResourceVersion ?? d.Metadata.ResourceVersion;
    }
}
