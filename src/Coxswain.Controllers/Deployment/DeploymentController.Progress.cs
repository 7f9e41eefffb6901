using System.Text.Json.Nodes;
using Coxswain.Client.Cache;
using k8s;
using k8s.Models;
using static Coxswain.Controllers.Deployment.DeploymentConditions;
using static Coxswain.Controllers.Deployment.DeploymentUtil;

namespace Coxswain.Controllers.Deployment;

// Upstream progress.go and the status half of sync.go: counts, the Available and Progressing conditions, the
// progress deadline, paused/resumed.
public sealed partial class DeploymentController
{
    private V1DeploymentStatus CalculateStatus(List<V1ReplicaSet> all, V1ReplicaSet? newRS, V1Deployment d)
    {
        var available = AvailableReplicas(all);
        var status = new V1DeploymentStatus
        {
            ObservedGeneration = d.Metadata.Generation,
            Replicas = ActualReplicas(all),
            UpdatedReplicas = ActualReplicas(Nullable(newRS)),
            ReadyReplicas = ReadyReplicas(all),
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, SpecReplicas(all) - available),
            CollisionCount = d.Status.CollisionCount,
            // Copies: the conditions of d are not to be changed here.
            Conditions = d.Status.Conditions?.Select(Clone).ToList(),
        };
        if (available >= Replicas(d) - MaxUnavailable(d))
        {
            Set(status, New(DeploymentConditions.Available, "True", MinimumReplicasAvailable, "Deployment has minimum availability.", Now));
        }
        else
        {
            Set(status, New(DeploymentConditions.Available, "False", MinimumReplicasUnavailable, "Deployment does not have minimum availability.", Now));
        }
        return status;
    }

    /// <summary>Writes the counts and Available condition (scaling and paused syncs: no progress estimate).</summary>
    private async Task SyncDeploymentStatusAsync(V1Deployment d, List<V1ReplicaSet> all, V1ReplicaSet? newRS, CancellationToken ct)
    {
        var status = CalculateStatus(all, newRS, d);
        if (StatusEqual(d.Status, status))
        {
            return;
        }
        d.Status = status;
        await UpdateStatusAsync(d, ct);
    }

    /// <summary>
    /// Status plus the Progressing condition of a rollout: NewReplicaSetAvailable when complete, ReplicaSetUpdated
    /// whenever some progress is seen (its lastUpdateTime is the deadline's start), ProgressDeadlineExceeded when
    /// no progress was seen for progressDeadlineSeconds.
    /// </summary>
    private async Task SyncRolloutStatusAsync(V1Deployment d, List<V1ReplicaSet> all, V1ReplicaSet? newRS, CancellationToken ct)
    {
        var status = CalculateStatus(all, newRS, d);
        if (!HasProgressDeadline(d))
        {
            Remove(status, Progressing);
        }
        var current = Get(d.Status, Progressing);
        // A finished rollout that is merely resynced has nothing to estimate.
        var complete = status.Replicas == status.UpdatedReplicas && current?.Reason == NewReplicaSetAvailable;
        if (HasProgressDeadline(d) && !complete)
        {
            var subject = newRS != null ? $"ReplicaSet \"{newRS.Metadata.Name}\"" : $"Deployment \"{d.Metadata.Name}\"";
            if (DeploymentComplete(d, status))
            {
                Set(status, New(Progressing, "True", NewReplicaSetAvailable, $"{subject} has successfully progressed.", Now));
            }
            else if (DeploymentProgressing(d, status))
            {
                // Unlike Set, refresh lastUpdateTime even when the reason stays: it marks the latest progress.
                var condition = New(Progressing, "True", ReplicaSetUpdated, $"{subject} is progressing.", Now);
                if (current != null)
                {
                    if (current.Status == "True")
                    {
                        condition.LastTransitionTime = current.LastTransitionTime;
                    }
                    Remove(status, Progressing);
                }
                Set(status, condition);
            }
            else if (DeploymentTimedOut(d, status))
            {
                Set(status, New(Progressing, "False", ProgressDeadlineExceeded, $"{subject} has timed out progressing.", Now));
            }
        }
        // The ReplicaSets' failures (e.g. pods rejected by quota) surface on the deployment.
        if (ReplicaFailureCondition(all, newRS) is { } failure)
        {
            Set(status, failure);
        }
        else
        {
            Remove(status, DeploymentConditions.ReplicaFailure);
        }
        if (StatusEqual(d.Status, status))
        {
            RequeueStuck(d, status);
            return;
        }
        d.Status = status;
        await UpdateStatusAsync(d, ct);
    }

    /// <summary>Some pods got updated, ready or available, or old ones went, since the last status.</summary>
    private static bool DeploymentProgressing(V1Deployment d, V1DeploymentStatus s)
    {
        var old = d.Status;
        var oldOld = (old.Replicas ?? 0) - (old.UpdatedReplicas ?? 0);
        var newOld = (s.Replicas ?? 0) - (s.UpdatedReplicas ?? 0);
        return (s.UpdatedReplicas ?? 0) > (old.UpdatedReplicas ?? 0) || newOld < oldOld
            || (s.ReadyReplicas ?? 0) > (old.ReadyReplicas ?? 0) || (s.AvailableReplicas ?? 0) > (old.AvailableReplicas ?? 0);
    }

    private bool DeploymentTimedOut(V1Deployment d, V1DeploymentStatus s)
    {
        var condition = Get(s, Progressing);
        if (!HasProgressDeadline(d) || condition == null || condition.Reason == NewReplicaSetAvailable)
        {
            return false;
        }
        if (condition.Reason == ProgressDeadlineExceeded)
        {
            return true;
        }
        var from = (condition.LastUpdateTime ?? Now).ToUniversalTime();
        return from.AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) < Now;
    }

    /// <summary>A rollout without progress comes back when its deadline would pass, to be marked timed out.</summary>
    private void RequeueStuck(V1Deployment d, V1DeploymentStatus status)
    {
        var current = Get(d.Status, Progressing);
        if (!HasProgressDeadline(d) || current == null || DeploymentComplete(d, status) || current.Reason == ProgressDeadlineExceeded)
        {
            return;
        }
        var after = (current.LastUpdateTime ?? Now).ToUniversalTime().AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) - Now;
        EnqueueAfter(Indexer<V1Deployment>.KeyOf(d), after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after);
    }

    private static V1DeploymentCondition? ReplicaFailureCondition(List<V1ReplicaSet> all, V1ReplicaSet? newRS)
    {
        foreach (var rs in Nullable(newRS).Concat(all.Where(rs => !ReferenceEquals(rs, newRS))))
        {
            if (rs.Status?.Conditions?.FirstOrDefault(c => c.Type == "ReplicaFailure") is { } c)
            {
                return new V1DeploymentCondition
                {
                    Type = DeploymentConditions.ReplicaFailure,
                    Status = c.Status,
                    Reason = c.Reason,
                    Message = c.Message,
                    LastUpdateTime = c.LastTransitionTime,
                    LastTransitionTime = c.LastTransitionTime,
                };
            }
        }
        return null;
    }

    /// <summary>
    /// Progressing is Unknown/DeploymentPaused while paused and Unknown/DeploymentResumed after; a deadline already
    /// reported as exceeded is not overwritten.
    /// </summary>
    private async Task CheckPausedConditionsAsync(V1Deployment d, CancellationToken ct)
    {
        if (!HasProgressDeadline(d))
        {
            return;
        }
        var current = Get(d.Status, Progressing);
        if (current?.Reason == ProgressDeadlineExceeded)
        {
            return;
        }
        var pausedReported = current?.Reason == DeploymentPaused;
        if (d.Spec.Paused == true && !pausedReported)
        {
            Set(d.Status, New(Progressing, "Unknown", DeploymentPaused, "Deployment is paused", Now));
        }
        else if (d.Spec.Paused != true && pausedReported)
        {
            Set(d.Status, New(Progressing, "Unknown", DeploymentResumed, "Deployment is resumed", Now));
        }
        else
        {
            return;
        }
        await UpdateStatusAsync(d, ct);
    }

    private static bool StatusEqual(V1DeploymentStatus? a, V1DeploymentStatus? b) =>
        JsonNode.DeepEquals(Normalize(a), Normalize(b));

    // Empty and missing lists mean the same; zero counts are omitted by the API server.
    private static JsonNode? Normalize(V1DeploymentStatus? s)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(s ?? new V1DeploymentStatus())) as JsonObject;
        if (node == null)
        {
            return null;
        }
        foreach (var (key, value) in node.ToList())
        {
            if (value == null || (value is JsonArray { Count: 0 }) || (value is JsonValue v && v.TryGetValue<long>(out var n) && n == 0))
            {
                node.Remove(key);
            }
        }
        return node;
    }
}
