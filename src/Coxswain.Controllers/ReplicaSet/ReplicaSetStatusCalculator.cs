using Coxswain.Controllers.Common;
using k8s.Models;

namespace Coxswain.Controllers.ReplicaSet;

/// <summary>A ReplicaSet's status from the pods it controls (upstream calculateStatus).</summary>
public static class ReplicaSetStatusCalculator
{
    public const string ReplicaFailure = "ReplicaFailure";

    /// <summary>
    /// Counts the pods (replicas, fully labeled, ready, available) and keeps the ReplicaFailure condition in step
    /// with the last attempt to create or delete: set when it failed, removed when it did not fail.
    /// </summary>
    public static V1ReplicaSetStatus Calculate(V1ReplicaSet rs, IReadOnlyCollection<V1Pod> pods, Exception? manageError, DateTime now)
    {
        var templateLabels = rs.Spec?.Template?.Metadata?.Labels;
        var minReady = rs.Spec?.MinReadySeconds ?? 0;
        int fullyLabeled = 0, ready = 0, available = 0;
        foreach (var pod in pods)
        {
            if (HasAll(pod.Metadata.Labels, templateLabels))
            {
                fullyLabeled++;
            }
            if (Pods.IsReady(pod))
            {
                ready++;
                if (Pods.IsAvailable(pod, minReady, now))
                {
                    available++;
                }
            }
        }

        var conditions = (rs.Status?.Conditions ?? []).Select(Copy).ToList();
        var failure = conditions.FirstOrDefault(c => c.Type == ReplicaFailure);
        if (manageError != null && failure == null)
        {
            var diff = pods.Count - (rs.Spec?.Replicas ?? 1);
            conditions.Add(new V1ReplicaSetCondition
            {
                Type = ReplicaFailure,
                Status = "True",
                Reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : null,
                Message = ApiErrors.Message(manageError),
                LastTransitionTime = now,
            });
        }
        else if (manageError == null && failure != null)
        {
            conditions.Remove(failure);
        }

        return new V1ReplicaSetStatus
        {
            Replicas = pods.Count,
            FullyLabeledReplicas = fullyLabeled,
            ReadyReplicas = ready,
            AvailableReplicas = available,
            ObservedGeneration = rs.Status?.ObservedGeneration,
            Conditions = conditions.Count == 0 ? null : conditions,
        };
    }

    /// <summary>True when the two statuses say the same (zero and absent counts are the same on the wire).</summary>
    public static bool Equal(V1ReplicaSetStatus? a, V1ReplicaSetStatus b)
    {
        if (a == null)
        {
            return false;
        }
        if (a.Replicas != b.Replicas || (a.FullyLabeledReplicas ?? 0) != (b.FullyLabeledReplicas ?? 0)
            || (a.ReadyReplicas ?? 0) != (b.ReadyReplicas ?? 0) || (a.AvailableReplicas ?? 0) != (b.AvailableReplicas ?? 0)
            || a.ObservedGeneration != b.ObservedGeneration)
        {
            return false;
        }
        var ac = a.Conditions ?? [];
        var bc = b.Conditions ?? [];
        return ac.Count == bc.Count && ac.Zip(bc).All(p =>
            p.First.Type == p.Second.Type && p.First.Status == p.Second.Status && p.First.Reason == p.Second.Reason && p.First.Message == p.Second.Message);
    }

    private static bool HasAll(IDictionary<string, string>? labels, IDictionary<string, string>? required)
    {
        if (required == null)
        {
            return true;
        }
        foreach (var (k, v) in required)
        {
            if (labels == null || !labels.TryGetValue(k, out var actual) || actual != v)
            {
                return false;
            }
        }
        return true;
    }

    private static V1ReplicaSetCondition Copy(V1ReplicaSetCondition c) => new()
    {
        Type = c.Type,
        Status = c.Status,
        Reason = c.Reason,
        Message = c.Message,
        LastTransitionTime = c.LastTransitionTime,
    };
}
