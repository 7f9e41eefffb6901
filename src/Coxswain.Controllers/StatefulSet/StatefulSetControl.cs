using System.Runtime.ExceptionServices;
using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.StatefulSet;

/// <summary>
/// One pass of upstream's defaultStatefulSetControl over a set and the pods it owns: find (or create) the current
/// and update revisions, recreate finished pods, create missing ones, enforce identity and storage, remove
/// condemned ones (ordinals outside the wanted range) from the highest down, then roll pods at other revisions,
/// and write the status. OrderedReady ("monotonic") stops at the first pod that is not yet Running, Ready and
/// available; Parallel does everything a pass can do at once.
/// </summary>
internal sealed class StatefulSetControl(IKubernetes client, IEventRecorder events, StatefulPodControl podControl,
    Lister<V1ControllerRevision> revisionLister, TimeProvider time)
{
    /// <summary>Runs one pass; returns the status written (also when the pass failed part-way, before rethrowing).</summary>
    public async Task<V1StatefulSetStatus?> UpdateAsync(V1StatefulSet set, List<V1Pod> pods, List<V1ControllerRevision> revisions, CancellationToken ct)
    {
        Revisions.Sort(revisions);
        var (current, update, collisionCount) = await GetRevisionsAsync(set, revisions, ct);
        var status = new V1StatefulSetStatus
        {
            ObservedGeneration = set.Metadata.Generation,
            CurrentRevision = current.Metadata.Name,
            UpdateRevision = update.Metadata.Name,
            CollisionCount = collisionCount,
            Conditions = set.Status?.Conditions,
        };
        ExceptionDispatchInfo? error = null;
        try
        {
            await UpdatePodsAsync(set, current, update, pods, status, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error = ExceptionDispatchInfo.Capture(e);
        }
        // What was done before a failure is still reported, and history is still kept within its limit.
        await UpdateStatusAsync(set, status, ct);
        await TruncateHistoryAsync(set, pods, revisions, current, update, ct);
        error?.Throw();
        return status;
    }

    private async Task UpdatePodsAsync(V1StatefulSet set, V1ControllerRevision current, V1ControllerRevision update,
        List<V1Pod> pods, V1StatefulSetStatus status, CancellationToken ct)
    {
        var currentSet = Revisions.Apply(set, current);
        var updateSet = Revisions.Apply(set, update);
        var currentName = current.Metadata.Name;
        var updateName = update.Metadata.Name;
        var now = time.GetUtcNow().UtcDateTime;
        var minReady = set.Spec.MinReadySeconds ?? 0;
        var start = StatefulSetUtils.StartOrdinal(set);
        var replicaCount = StatefulSetUtils.Replicas(set);

        // Pods at wanted ordinals by index (ordinal - start); the rest are condemned. Pods whose name carries no
        // ordinal are ignored.
        var replicas = new V1Pod[replicaCount];
        var condemned = new List<V1Pod>();
        status.Replicas = 0;
        status.ReadyReplicas = status.AvailableReplicas = status.CurrentReplicas = status.UpdatedReplicas = 0;
        foreach (var pod in pods)
        {
            status.Replicas++;
            if (StatefulSetUtils.IsRunningAndReady(pod))
            {
                status.ReadyReplicas++;
                if (StatefulSetUtils.IsRunningAndAvailable(pod, minReady, now))
                {
                    status.AvailableReplicas++;
                }
            }
            if (StatefulSetUtils.IsCreated(pod) && !StatefulSetUtils.IsTerminating(pod))
            {
                CountRevision(pod, status, currentName, updateName, +1);
            }
            var ordinal = StatefulSetUtils.OrdinalOf(pod);
            if (StatefulSetUtils.InOrdinalRange(set, ordinal))
            {
                replicas[ordinal - start] = pod;
            }
            else if (ordinal >= 0)
            {
                condemned.Add(pod);
            }
        }
        for (var i = 0; i < replicaCount; i++)
        {
            replicas[i] ??= StatefulSetUtils.NewVersionedPod(currentSet, updateSet, currentName, updateName, i + start);
        }
        condemned.Sort((a, b) => StatefulSetUtils.OrdinalOf(a).CompareTo(StatefulSetUtils.OrdinalOf(b)));

        // The lowest-ordinal unhealthy pod may be removed even though it is unhealthy, so a scale-down can get past it.
        var firstUnhealthy = replicas.Concat(condemned)
            .Where(p => !StatefulSetUtils.IsHealthy(p))
            .MinBy(StatefulSetUtils.OrdinalOf);

        if (set.Metadata.DeletionTimestamp != null)
        {
            return; // a set being deleted only reports status
        }
        var monotonic = set.Spec.PodManagementPolicy != "Parallel";

        for (var i = 0; i < replicas.Length; i++)
        {
            // Parallel goes on past a pod that would stop an ordered pass.
            if (await ProcessReplicaAsync(set, updateSet, currentName, updateName, replicas, i, monotonic, status, minReady, now, ct) && monotonic)
            {
                return;
            }
        }

        for (var target = condemned.Count - 1; target >= 0; target--)
        {
            var pod = condemned[target];
            if (!podControl.ClaimsMatchRetentionPolicy(updateSet, pod))
            {
                // A scaled-down pod takes its claims with it when whenScaled is Delete: the pod becomes their owner.
                await podControl.UpdateClaimsForRetentionPolicyAsync(updateSet, pod, ct);
            }
            if (StatefulSetUtils.IsTerminating(pod))
            {
                if (monotonic)
                {
                    return; // wait for the graceful deletion to finish before the next one
                }
                continue;
            }
            if (monotonic && pod != firstUnhealthy
                && (!StatefulSetUtils.IsRunningAndReady(pod) || !StatefulSetUtils.IsRunningAndAvailable(pod, minReady, now)))
            {
                return;
            }
            await podControl.DeletePodAsync(set, pod, ct);
            CountRevision(pod, status, currentName, updateName, -1);
            if (monotonic)
            {
                return;
            }
        }

        if (set.Spec.UpdateStrategy?.Type == "OnDelete")
        {
            return; // pods change revision only when users delete them
        }
        await RollingUpdateAsync(set, replicas, updateName, currentName, status, minReady, now, ct);
    }

    /// <summary>Handles the replica at index <paramref name="i"/>; true when the pass must stop here (upstream processReplica).</summary>
    private async Task<bool> ProcessReplicaAsync(V1StatefulSet set, V1StatefulSet updateSet, string currentName, string updateName,
        V1Pod[] replicas, int i, bool monotonic, V1StatefulSetStatus status, int minReady, DateTime now, CancellationToken ct)
    {
        var pod = replicas[i];
        if (StatefulSetUtils.IsFailed(pod) || StatefulSetUtils.IsSucceeded(pod))
        {
            // A finished pod is deleted; its replacement is created once it is gone (same name).
            if (!StatefulSetUtils.IsTerminating(pod))
            {
                var failed = StatefulSetUtils.IsFailed(pod);
                events.Event(set, EventTypes.Warning, failed ? "RecreatingFailedPod" : "RecreatingTerminatedPod",
                    $"StatefulSet {set.Metadata.NamespaceProperty}/{set.Metadata.Name} is recreating {(failed ? "failed" : "terminated")} Pod {pod.Metadata.Name}");
                await podControl.DeletePodAsync(set, pod, ct);
                CountRevision(pod, status, currentName, updateName, -1);
                status.Replicas--;
            }
            return true;
        }
        if (!StatefulSetUtils.IsCreated(pod))
        {
            await podControl.CreatePodAsync(set, pod, ct);
            status.Replicas++;
            CountRevision(pod, status, currentName, updateName, +1);
            return monotonic; // OrderedReady: the next pod waits for this one to be Running and Ready
        }
        if (StatefulSetUtils.IsPending(pod))
        {
            await podControl.CreateMissingClaimsAsync(set, pod, ct);
        }
        if (monotonic && (StatefulSetUtils.IsTerminating(pod) || !StatefulSetUtils.IsRunningAndReady(pod)
            || !StatefulSetUtils.IsRunningAndAvailable(pod, minReady, now)))
        {
            return true;
        }
        if (StatefulSetUtils.IdentityMatches(set, pod) && StatefulSetUtils.StorageMatches(set, pod)
            && podControl.ClaimsMatchRetentionPolicy(updateSet, pod))
        {
            return false;
        }
        // A copy: the cached pod is shared.
        await podControl.UpdatePodAsync(updateSet, StatefulSetUtils.Clone(pod), ct);
        return false;
    }

    /// <summary>
    /// Deletes pods at ordinals at or above the partition that are not at the update revision, highest first
    /// (their replacements are created at the update revision by the next pass). Without maxUnavailable: one at a
    /// time, waiting until every pod above is healthy. With it: as many as keep at most maxUnavailable pods unavailable.
    /// </summary>
    private async Task RollingUpdateAsync(V1StatefulSet set, V1Pod[] replicas, string updateName, string currentName,
        V1StatefulSetStatus status, int minReady, DateTime now, CancellationToken ct)
    {
        var rollingUpdate = set.Spec.UpdateStrategy?.RollingUpdate;
        var updateMin = Math.Max(0, rollingUpdate?.Partition ?? 0);
        if (rollingUpdate?.MaxUnavailable is not { } maxUnavailableValue)
        {
            for (var target = replicas.Length - 1; target >= updateMin; target--)
            {
                var pod = replicas[target];
                if (StatefulSetUtils.RevisionOf(pod) != updateName && !StatefulSetUtils.IsTerminating(pod))
                {
                    await podControl.DeletePodAsync(set, pod, ct);
                    CountRevision(pod, status, currentName, "", -1);
                    return;
                }
                if (!StatefulSetUtils.IsHealthy(pod) || !StatefulSetUtils.IsRunningAndAvailable(pod, minReady, now))
                {
                    return; // wait for the updated pod to be Ready and available
                }
            }
            return;
        }

        var maxUnavailable = Math.Max(1, ScaledValue(maxUnavailableValue.Value, replicas.Length));
        var unavailable = replicas.Count(p => !StatefulSetUtils.IsHealthy(p) || !StatefulSetUtils.IsRunningAndAvailable(p, minReady, now));
        var budget = maxUnavailable - unavailable;
        for (var target = replicas.Length - 1; target >= updateMin && budget > 0; target--)
        {
            var pod = replicas[target];
            if (StatefulSetUtils.RevisionOf(pod) != updateName && !StatefulSetUtils.IsTerminating(pod) && StatefulSetUtils.IsCreated(pod))
            {
                await podControl.DeletePodAsync(set, pod, ct);
                CountRevision(pod, status, currentName, "", -1);
                budget--;
            }
        }
    }

    /// <summary>An int, or a percentage of <paramref name="total"/> rounded up (upstream GetScaledValueFromIntOrPercent).</summary>
    internal static int ScaledValue(string value, int total)
    {
        if (value.EndsWith('%') && int.TryParse(value[..^1], out var percent))
        {
            return (int)Math.Ceiling(percent * total / 100.0);
        }
        return int.TryParse(value, out var n) ? n : 1;
    }

    private static void CountRevision(V1Pod pod, V1StatefulSetStatus status, string currentName, string updateName, int delta)
    {
        var revision = StatefulSetUtils.RevisionOf(pod);
        if (revision == currentName)
        {
            status.CurrentReplicas += delta;
        }
        if (revision == updateName)
        {
            status.UpdatedReplicas += delta;
        }
    }

    /// <summary>
    /// The current revision (from status; the update revision for a new set) and the update revision: the
    /// newest revision if it equals the set's template, an older equal one renumbered as newest (a rollback), or a
    /// new one (upstream getStatefulSetRevisions).
    /// </summary>
    private async Task<(V1ControllerRevision Current, V1ControllerRevision Update, int CollisionCount)> GetRevisionsAsync(
        V1StatefulSet set, List<V1ControllerRevision> revisions, CancellationToken ct)
    {
        var collisionCount = set.Status?.CollisionCount ?? 0;
        var update = Revisions.New(set, Revisions.Next(revisions), collisionCount);
        var equal = revisions.Where(r => Revisions.Equal(r, update)).ToList();
        if (equal.Count > 0 && revisions[^1].Metadata.Name == equal[^1].Metadata.Name)
        {
            update = revisions[^1];
        }
        else if (equal.Count > 0)
        {
            update = await RenumberAsync(equal[^1], update.Revision ?? 0, ct);
        }
        else
        {
            (update, collisionCount) = await CreateRevisionAsync(set, update.Revision ?? 0, collisionCount, ct);
        }
        var current = revisions.FirstOrDefault(r => r.Metadata.Name == set.Status?.CurrentRevision) ?? update;
        return (current, update, collisionCount);
    }

    /// <summary>Creates the revision; on a name taken by different data, counts a collision and tries the next name.</summary>
    private async Task<(V1ControllerRevision, int)> CreateRevisionAsync(V1StatefulSet set, long number, int collisionCount, CancellationToken ct)
    {
        while (true)
        {
            var revision = Revisions.New(set, number, collisionCount);
            try
            {
                return (await client.AppsV1.CreateNamespacedControllerRevisionAsync(revision, revision.Metadata.NamespaceProperty, cancellationToken: ct), collisionCount);
            }
            catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
            {
                var existing = revisionLister.Get(revision.Metadata.NamespaceProperty, revision.Metadata.Name)
                    ?? await client.AppsV1.ReadNamespacedControllerRevisionAsync(revision.Metadata.Name, revision.Metadata.NamespaceProperty, cancellationToken: ct);
                if (Revisions.Equal(existing, revision))
                {
                    return (existing, collisionCount);
                }
                collisionCount++;
            }
        }
    }

    private async Task<V1ControllerRevision> RenumberAsync(V1ControllerRevision revision, long number, CancellationToken ct)
    {
        var copy = StatefulSetUtils.Clone(revision);
        for (var attempt = 0; ; attempt++)
        {
            if (copy.Revision == number)
            {
                return copy;
            }
            copy.Revision = number;
            try
            {
                return await client.AppsV1.ReplaceNamespacedControllerRevisionAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
            }
            catch (Exception e) when (ApiErrors.IsConflict(e) && attempt < 4)
            {
                copy = await client.AppsV1.ReadNamespacedControllerRevisionAsync(copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
            }
        }
    }

    /// <summary>
    /// Writes the status when it changed. A finished rolling update (every pod updated and Ready) makes the update
    /// revision current, which is what `kubectl rollout status` waits for.
    /// </summary>
    private async Task UpdateStatusAsync(V1StatefulSet set, V1StatefulSetStatus status, CancellationToken ct)
    {
        if (set.Spec.UpdateStrategy?.Type == "RollingUpdate" && status.UpdatedReplicas == status.Replicas && status.ReadyReplicas == status.Replicas)
        {
            status.CurrentReplicas = status.UpdatedReplicas;
            status.CurrentRevision = status.UpdateRevision;
        }
        var old = set.Status ?? new V1StatefulSetStatus();
        if (status.ObservedGeneration <= (old.ObservedGeneration ?? 0) && status.Replicas == old.Replicas
            && status.ReadyReplicas == (old.ReadyReplicas ?? 0) && status.CurrentReplicas == (old.CurrentReplicas ?? 0)
            && status.UpdatedReplicas == (old.UpdatedReplicas ?? 0) && status.AvailableReplicas == (old.AvailableReplicas ?? 0)
            && status.CurrentRevision == old.CurrentRevision && status.UpdateRevision == old.UpdateRevision
            && status.CollisionCount == (old.CollisionCount ?? 0))
        {
            return;
        }
        var copy = StatefulSetUtils.Clone(set);
        for (var attempt = 0; ; attempt++)
        {
            status.Conditions = copy.Status?.Conditions;
            copy.Status = status;
            try
            {
                await client.AppsV1.ReplaceNamespacedStatefulSetStatusAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
                return;
            }
            catch (Exception e) when (ApiErrors.IsConflict(e) && attempt < 4)
            {
                copy = await client.AppsV1.ReadNamespacedStatefulSetAsync(set.Metadata.Name, set.Metadata.NamespaceProperty, cancellationToken: ct);
                if (copy.Metadata.Uid != set.Metadata.Uid)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Deletes the oldest revisions that no pod uses and that are neither current nor update, keeping
    /// revisionHistoryLimit of them (upstream truncateHistory).
    /// </summary>
    private async Task TruncateHistoryAsync(V1StatefulSet set, List<V1Pod> pods, List<V1ControllerRevision> sorted,
        V1ControllerRevision current, V1ControllerRevision update, CancellationToken ct)
    {
        var live = new HashSet<string>(StringComparer.Ordinal) { current.Metadata.Name, update.Metadata.Name };
        foreach (var pod in pods)
        {
            if (StatefulSetUtils.RevisionOf(pod) is { } r)
            {
                live.Add(r);
            }
        }
        var history = sorted.Where(r => !live.Contains(r.Metadata.Name)).ToList();
        var excess = history.Count - (set.Spec.RevisionHistoryLimit ?? 10);
        for (var i = 0; i < excess; i++)
        {
            try
            {
                await client.AppsV1.DeleteNamespacedControllerRevisionAsync(history[i].Metadata.Name, history[i].Metadata.NamespaceProperty, cancellationToken: ct);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
            }
        }
    }
}
