using k8s.Models;

namespace Coxswain.Controllers.Deployment;

/// <summary>The deployment's conditions, their reasons (kubectl and users match on them) and upstream's set/remove rules.</summary>
internal static class DeploymentConditions
{
    public const string Available = "Available";
    public const string Progressing = "Progressing";
    public const string ReplicaFailure = "ReplicaFailure";

    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";
    public const string NewReplicaSetCreated = "NewReplicaSetCreated";
    public const string FoundNewReplicaSet = "FoundNewReplicaSet";
    public const string ReplicaSetUpdated = "ReplicaSetUpdated";
    public const string NewReplicaSetAvailable = "NewReplicaSetAvailable";
    public const string ReplicaSetCreateError = "ReplicaSetCreateError";
    public const string ProgressDeadlineExceeded = "ProgressDeadlineExceeded";
    public const string DeploymentPaused = "DeploymentPaused";
    public const string DeploymentResumed = "DeploymentResumed";

    public static V1DeploymentCondition New(string type, string status, string reason, string message, DateTime now) => new()
    {
        Type = type,
        Status = status,
        Reason = reason,
        Message = message,
        LastUpdateTime = now,
        LastTransitionTime = now,
    };

    public static V1DeploymentCondition? Get(V1DeploymentStatus? status, string type) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>
    /// Adds or replaces the condition of its type. Nothing changes when status and reason are the same; when only
    /// the reason changes the transition time is kept.
    /// </summary>
    public static void Set(V1DeploymentStatus status, V1DeploymentCondition condition)
    {
        var current = Get(status, condition.Type);
        if (current != null && current.Status == condition.Status && current.Reason == condition.Reason)
        {
            return;
        }
        if (current != null && current.Status == condition.Status)
        {
            condition.LastTransitionTime = current.LastTransitionTime;
        }
        var conditions = status.Conditions?.Where(c => c.Type != condition.Type).ToList() ?? [];
        conditions.Add(condition);
        status.Conditions = conditions;
    }

    public static void Remove(V1DeploymentStatus status, string type)
    {
        if (status.Conditions != null)
        {
            status.Conditions = status.Conditions.Where(c => c.Type != type).ToList();
        }
    }
}
