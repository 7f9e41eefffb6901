using System.Globalization;
using System.Text;
using Coxswain.Controllers.Common;
using k8s.Models;

namespace Coxswain.Controllers.Job;

/// <summary>
/// What a Job's pods say about it (upstream job_controller's counting and indexed_job_utils): active / ready /
/// terminating / succeeded / failed pods, completion indexes, and the pod-failure backoff before new pods.
/// </summary>
internal sealed class JobPods
{
    public const string CompletionIndexKey = "batch.kubernetes.io/job-completion-index";
    public const string CompletionIndexEnv = "JOB_COMPLETION_INDEX";

    /// <summary>Upstream DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff.</summary>
    public static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxFailureBackoff = TimeSpan.FromMinutes(10);

    public List<V1Pod> Active { get; } = [];
    public List<V1Pod> Succeeded { get; } = [];
    public List<V1Pod> Failed { get; } = [];
    public int Ready { get; private set; }
    public int Terminating { get; private set; }

    public static JobPods From(IEnumerable<V1Pod> pods)
    {
        var result = new JobPods();
        foreach (var pod in pods)
        {
            switch (pod.Status?.Phase)
            {
                case "Succeeded":
                    result.Succeeded.Add(pod);
                    break;
                case "Failed":
                    result.Failed.Add(pod);
                    break;
                default:
                    if (Pods.IsTerminating(pod))
                    {
                        result.Terminating++;
                    }
                    else
                    {
                        result.Active.Add(pod);
                        if (Pods.IsReady(pod))
                        {
                            result.Ready++;
                        }
                    }
                    break;
            }
        }
        return result;
    }

    /// <summary>The completion index a pod carries (annotation, as upstream reads it), if valid.</summary>
    public static int? IndexOf(V1Pod pod) =>
        pod.Metadata?.Annotations?.TryGetValue(CompletionIndexKey, out var v) == true
        && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    /// <summary>Upstream's compressed interval form of status.completedIndexes: "1,3-5,7".</summary>
    public static string? FormatIndexes(IEnumerable<int> sorted)
    {
        var sb = new StringBuilder();
        int? start = null, end = null;
        void Flush()
        {
            if (start is not { } s)
            {
                return;
            }
            if (sb.Length > 0)
            {
                sb.Append(',');
            }
            sb.Append(CultureInfo.InvariantCulture, $"{s}");
            if (end != s)
            {
                sb.Append(CultureInfo.InvariantCulture, $"-{end}");
            }
        }
        foreach (var i in sorted)
        {
            if (end is { } e && i == e + 1)
            {
                end = i;
                continue;
            }
            Flush();
            start = end = i;
        }
        Flush();
        return sb.Length == 0 ? null : sb.ToString();
    }

    /// <summary>When a finished pod stopped: its latest container finish, else its Ready condition's last change.</summary>
    public static DateTime FinishedAt(V1Pod pod)
    {
        DateTime? at = null;
        foreach (var c in pod.Status?.ContainerStatuses ?? [])
        {
            if (c.State?.Terminated?.FinishedAt is { } f && (at == null || f > at))
            {
                at = f;
            }
        }
        return (at ?? Pods.ReadyCondition(pod)?.LastTransitionTime ?? pod.Metadata.CreationTimestamp ?? DateTime.MinValue).ToUniversalTime();
    }

    /// <summary>
    /// How long to hold back new pods after failures (upstream's backoff record): 10 s doubling per failure since
    /// the last success, capped at 10 min, counted from the last failure.
    /// </summary>
    public TimeSpan CreationDelay(DateTime now)
    {
        var lastSuccess = DateTime.MinValue;
        foreach (var pod in Succeeded)
        {
            var t = FinishedAt(pod);
            if (t > lastSuccess)
            {
                lastSuccess = t;
            }
        }
        var failures = 0;
        var lastFailure = DateTime.MinValue;
        foreach (var pod in Failed)
        {
            var t = FinishedAt(pod);
            if (t >= lastSuccess)
            {
                failures++;
                if (t > lastFailure)
                {
                    lastFailure = t;
                }
            }
        }
        if (failures == 0)
        {
            return TimeSpan.Zero;
        }
        var backoff = TimeSpan.FromTicks(Math.Min(MaxFailureBackoff.Ticks, FailureBackoff.Ticks << Math.Min(failures - 1, 20)));
        var remaining = lastFailure + backoff - now;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    /// <summary>
    /// Upstream pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts of active pods count
    /// towards the backoff limit.
    /// </summary>
    public bool PastBackoffLimitOnFailure(V1Job job)
    {
        if (job.Spec.Template?.Spec?.RestartPolicy != "OnFailure")
        {
            return false;
        }
        var limit = job.Spec.BackoffLimit ?? 6;
        var restarts = 0;
        foreach (var pod in Active)
        {
            foreach (var c in pod.Status?.InitContainerStatuses ?? [])
            {
                restarts += c.RestartCount;
            }
            foreach (var c in pod.Status?.ContainerStatuses ?? [])
            {
                restarts += c.RestartCount;
            }
        }
        return limit == 0 ? restarts > 0 : restarts >= limit;
    }

    /// <summary>
    /// Order in which surplus active pods go (upstream controller.ActivePods): unscheduled, then pending, then not
    /// ready, then the youngest first.
    /// </summary>
    public static IEnumerable<V1Pod> DeletionOrder(IEnumerable<V1Pod> pods) =>
        pods.OrderBy(p => string.IsNullOrEmpty(p.Spec?.NodeName) ? 0 : 1)
            .ThenBy(p => p.Status?.Phase == "Pending" ? 0 : 1)
            .ThenBy(p => Pods.IsReady(p) ? 1 : 0)
            .ThenByDescending(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue);
}
