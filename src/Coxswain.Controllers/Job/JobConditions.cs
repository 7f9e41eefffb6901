using k8s.Models;

namespace Coxswain.Controllers.Job;

/// <summary>Job condition types and reasons (batch/v1) and the helpers upstream's job utils provide.</summary>
public static class JobConditions
{
    public const string Complete = "Complete";
    public const string Failed = "Failed";
    public const string Suspended = "Suspended";
    public const string FailureTarget = "FailureTarget";
    public const string SuccessCriteriaMet = "SuccessCriteriaMet";

    public const string BackoffLimitExceeded = "BackoffLimitExceeded";
    public const string DeadlineExceeded = "DeadlineExceeded";
    public const string CompletionsReached = "CompletionsReached";

    /// <summary>The condition of <paramref name="type"/> if it is True.</summary>
    public static V1JobCondition? Find(V1JobStatus? status, string type) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");

    /// <summary>Complete or Failed (upstream IsJobFinished).</summary>
    public static bool IsFinished(V1Job job) => Find(job.Status, Complete) != null || Find(job.Status, Failed) != null;

    /// <summary>The finished condition type, if any.</summary>
    public static string? FinishedType(V1Job job) =>
        Find(job.Status, Complete) != null ? Complete : Find(job.Status, Failed) != null ? Failed : null;

    /// <summary>When the Job finished: its Complete/Failed condition's transition (what ttl-after-finished uses).</summary>
    public static DateTime? FinishedAt(V1Job job) =>
        (Find(job.Status, Complete) ?? Find(job.Status, Failed))?.LastTransitionTime?.ToUniversalTime();

    public static V1JobCondition New(string type, string reason, string message, DateTime now) => new()
    {
        Type = type,
        Status = "True",
        Reason = reason,
        Message = message,
        LastProbeTime = now,
        LastTransitionTime = now,
    };

    /// <summary>Adds the condition or replaces the one of its type (the transition time moves only if the status changed).</summary>
    public static void Set(V1JobStatus status, V1JobCondition condition)
    {
        status.Conditions ??= [];
        for (var i = 0; i < status.Conditions.Count; i++)
        {
            if (status.Conditions[i].Type == condition.Type)
            {
                if (status.Conditions[i].Status == condition.Status)
                {
                    condition.LastTransitionTime = status.Conditions[i].LastTransitionTime;
                }
                status.Conditions[i] = condition;
                return;
            }
        }
        status.Conditions.Add(condition);
    }
}
