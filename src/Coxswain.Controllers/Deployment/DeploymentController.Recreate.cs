using k8s.Models;
using static Coxswain.Controllers.Deployment.DeploymentUtil;

namespace Coxswain.Controllers.Deployment;

// Upstream recreate.go: all old pods go first; the new ReplicaSet is created and scaled up once none is left.
public sealed partial class DeploymentController
{
    private async Task RolloutRecreateAsync(V1Deployment d, List<V1ReplicaSet> rsList, Dictionary<string, List<V1Pod>> podsByRS, CancellationToken ct)
    {
        var (newRS, old) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: false, ct);
        var all = new List<V1ReplicaSet>([.. old, .. Nullable(newRS)]);

        var scaledDown = false;
        foreach (var rs in Active(old))
        {
            var (scaled, _) = await ScaleReplicaSetAndRecordEventAsync(rs, 0, d, ct);
            scaledDown |= scaled;
        }
        if (scaledDown || OldPodsRunning(newRS, old, podsByRS))
        {
            await SyncRolloutStatusAsync(d, all, newRS, ct);
            return;
        }
        if (newRS == null)
        {
            (newRS, old) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: true, ct);
            all = [.. old, newRS!];
        }
        await ScaleReplicaSetAndRecordEventAsync(newRS!, Replicas(d), d, ct);
        if (DeploymentComplete(d, d.Status))
        {
            await CleanupAsync(d, old, ct);
        }
        await SyncRolloutStatusAsync(d, all, newRS, ct);
    }

    /// <summary>Old ReplicaSets still report pods, or a pod of theirs has not finished (it may still run).</summary>
    private static bool OldPodsRunning(V1ReplicaSet? newRS, List<V1ReplicaSet> old, Dictionary<string, List<V1Pod>> podsByRS)
    {
        if (ActualReplicas(old) > 0)
        {
            return true;
        }
        foreach (var (uid, pods) in podsByRS)
        {
            if (newRS != null && newRS.Metadata.Uid == uid)
            {
                continue;
            }
            if (pods.Any(p => p.Status?.Phase is not ("Failed" or "Succeeded")))
            {
                return true;
            }
        }
        return false;
    }
}
