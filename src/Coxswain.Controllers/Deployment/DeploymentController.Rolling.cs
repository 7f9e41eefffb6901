using k8s.Models;
using static Coxswain.Controllers.Deployment.DeploymentUtil;

namespace Coxswain.Controllers.Deployment;

// Upstream rolling.go: grow the new ReplicaSet within maxSurge, shrink the old ones within maxUnavailable.
public sealed partial class DeploymentController
{
    private async Task RolloutRollingAsync(V1Deployment d, List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, old) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: true, ct);
        var all = new List<V1ReplicaSet>([.. old, newRS!]);
        // One step per sync: the ReplicaSet controller's status updates bring the deployment back for the next.
        if (await ReconcileNewReplicaSetAsync(d, all, newRS!, ct) || await ReconcileOldReplicaSetsAsync(d, all, Active(old), newRS!, ct))
        {
            await SyncRolloutStatusAsync(d, all, newRS, ct);
            return;
        }
        if (DeploymentComplete(d, d.Status))
        {
            await CleanupAsync(d, old, ct);
        }
        await SyncRolloutStatusAsync(d, all, newRS, ct);
    }

    private async Task<bool> ReconcileNewReplicaSetAsync(V1Deployment d, List<V1ReplicaSet> all, V1ReplicaSet newRS, CancellationToken ct)
    {
        if (Replicas(newRS) == Replicas(d))
        {
            return false;
        }
        var target = Replicas(newRS) > Replicas(d) ? Replicas(d) : NewRSNewReplicas(d, all, newRS);
        var (scaled, _) = await ScaleReplicaSetAndRecordEventAsync(newRS, target, d, ct);
        return scaled;
    }

    /// <summary>
    /// Scales old ReplicaSets down as far as availability allows: first their unhealthy replicas (which count
    /// against nothing), then available ones while at least replicas - maxUnavailable stay available.
    /// </summary>
    private async Task<bool> ReconcileOldReplicaSetsAsync(V1Deployment d, List<V1ReplicaSet> all, List<V1ReplicaSet> old, V1ReplicaSet newRS, CancellationToken ct)
    {
        if (SpecReplicas(old) == 0)
        {
            return false;
        }
        var minAvailable = Replicas(d) - MaxUnavailable(d);
        var newRSUnavailable = Replicas(newRS) - Available(newRS);
        // The pods that may go: beyond the minimum available, not counting the new ReplicaSet's unavailable pods,
        // which may become available only later.
        var maxScaledDown = SpecReplicas(all) - minAvailable - newRSUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }
        var cleaned = await CleanupUnhealthyReplicasAsync(d, old, maxScaledDown, ct);
        var scaledDown = await ScaleDownOldReplicaSetsForRollingUpdateAsync(d, [.. old, newRS], old, ct);
        return cleaned + scaledDown > 0;
    }

    private async Task<int> CleanupUnhealthyReplicasAsync(V1Deployment d, List<V1ReplicaSet> old, int maxCleanup, CancellationToken ct)
    {
        old.Sort(ByCreation);
        var total = 0;
        foreach (var rs in old)
        {
            if (total >= maxCleanup)
            {
                break;
            }
            if (Replicas(rs) == 0 || Replicas(rs) == Available(rs))
            {
                continue;
            }
            var count = Math.Min(maxCleanup - total, Replicas(rs) - Available(rs));
            await ScaleReplicaSetAndRecordEventAsync(rs, Replicas(rs) - count, d, ct);
            total += count;
        }
        return total;
    }

    private async Task<int> ScaleDownOldReplicaSetsForRollingUpdateAsync(V1Deployment d, List<V1ReplicaSet> all, List<V1ReplicaSet> old, CancellationToken ct)
    {
        var minAvailable = Replicas(d) - MaxUnavailable(d);
        var available = AvailableReplicas(all);
        if (available <= minAvailable)
        {
            return 0;
        }
        old.Sort(ByCreation);
        var wanted = available - minAvailable;
        var total = 0;
        foreach (var rs in old)
        {
            if (total >= wanted)
            {
                break;
            }
            if (Replicas(rs) == 0)
            {
                continue;
            }
            var count = Math.Min(Replicas(rs), wanted - total);
            await ScaleReplicaSetAndRecordEventAsync(rs, Replicas(rs) - count, d, ct);
            total += count;
        }
        return total;
    }
}
