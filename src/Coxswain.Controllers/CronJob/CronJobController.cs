using System.Globalization;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Controllers.Common;
using Coxswain.Controllers.Job;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.CronJob;

/// <summary>
/// Upstream's CronJob controller (pkg/controller/cronjob, ControllerV2): at each schedule time creates a Job from
/// the job template named "&lt;cronjob&gt;-&lt;scheduled time in minutes since the epoch&gt;" (the name is the lock against
/// creating it twice), honours suspend, startingDeadlineSeconds and the concurrency policy, keeps status.active /
/// lastScheduleTime / lastSuccessfulTime, and deletes the oldest finished Jobs past the history limits. Each sync
/// requeues the CronJob for its next schedule time; nothing polls.
/// </summary>
public sealed class CronJobController : QueueController
{
    public const string ControllerName = "cronjob-controller";
    public const string ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    /// <summary>Upstream requeues a little after the schedule time so the time has surely passed.</summary>
    private static readonly TimeSpan RequeueSlack = TimeSpan.FromMilliseconds(100);

    private readonly IKubernetes _client;
    private readonly SharedInformer<V1CronJob> _cronJobs;
    private readonly SharedInformer<V1Job> _jobs;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;

    public CronJobController(ControllerManager manager, TimeProvider? time = null)
        : base(ControllerName, manager.Loggers.CreateLogger(ControllerName))
    {
        _client = manager.Client;
        _time = time ?? TimeProvider.System;
        _cronJobs = manager.Informers.For(ResourceTypes.CronJobs);
        _jobs = manager.Informers.For(ResourceTypes.Jobs);
        _events = manager.Recorder(ControllerName);
        EnqueueOnEveryChange(_cronJobs);
        _jobs.AddEventHandler(
            onAdd: EnqueueOwner,
            onUpdate: (old, j) =>
            {
                EnqueueOwner(j);
                if (OwnerKey(old) != OwnerKey(j))
                {
                    EnqueueOwner(old);
                }
            },
            onDelete: (j, _) => EnqueueOwner(j));
    }

    protected override async Task<bool> WaitForCacheSyncAsync(CancellationToken ct) =>
        await _cronJobs.WaitForCacheSyncAsync(ct) && await _jobs.WaitForCacheSyncAsync(ct);

    private static string? OwnerKey(V1Job job) =>
        OwnerRefs.ControllerOf(job.Metadata) is { Kind: "CronJob" } owner && owner.ApiVersion?.StartsWith("batch/", StringComparison.Ordinal) == true
            ? Indexer<V1CronJob>.KeyOf(job.Metadata.NamespaceProperty, owner.Name)
            : null;

    private void EnqueueOwner(V1Job job)
    {
        if (OwnerKey(job) is { } key)
        {
            Enqueue(key);
        }
    }

    public override async Task SyncAsync(string key, CancellationToken ct)
    {
        var cached = _cronJobs.Lister.GetByKey(key);
        if (cached == null)
        {
            return;
        }
        var cronJob = KubernetesJson.Deserialize<V1CronJob>(KubernetesJson.Serialize(cached)); // never mutate the cache
        cronJob.Status ??= new V1CronJobStatus();
        var jobs = _jobs.Lister.List(cronJob.Metadata.NamespaceProperty)
            .Where(j => OwnerRefs.IsControlledBy(j.Metadata, cronJob.Metadata.Uid)).ToList();
        var (requeueAfter, changed) = await SyncCronJobAsync(cronJob, jobs, ct);
        if (cronJob.Metadata.DeletionTimestamp == null && await CleanupFinishedJobsAsync(cronJob, jobs, ct))
        {
            changed = true;
        }
        if (changed)
        {
            await _client.BatchV1.ReplaceNamespacedCronJobStatusAsync(cronJob, cronJob.Metadata.Name, cronJob.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        if (requeueAfter is { } delay)
        {
            EnqueueAfter(key, delay);
        }
    }

    /// <summary>Upstream syncCronJob: reconciles status.active with the Jobs, then starts the Job due, if any.</summary>
    internal async Task<(TimeSpan? RequeueAfter, bool Changed)> SyncCronJobAsync(V1CronJob cronJob, List<V1Job> jobs, CancellationToken ct)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var status = cronJob.Status;
        var changed = false;
        var children = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            children.Add(job.Metadata.Uid);
            var active = InActiveList(cronJob, job.Metadata.Uid);
            var finished = JobConditions.FinishedType(job);
            if (!active && finished == null)
            {
                // Our status update may simply not have reached the cache yet: ask the API before complaining.
                var fresh = await _client.BatchV1.ReadNamespacedCronJobAsync(cronJob.Metadata.Name, cronJob.Metadata.NamespaceProperty, cancellationToken: ct);
                if (!InActiveList(fresh, job.Metadata.Uid))
                {
                    _events.Event(cronJob, EventTypes.Warning, "UnexpectedJob", $"Saw a job that the controller did not create or forgot: {job.Metadata.Name}");
                }
            }
            else if (finished != null)
            {
                if (active)
                {
                    RemoveFromActive(cronJob, job.Metadata.Uid);
                    _events.Event(cronJob, EventTypes.Normal, "SawCompletedJob", $"Saw completed job: {job.Metadata.Name}, condition: {finished}");
                    changed = true;
                }
                if (finished == JobConditions.Complete && job.Status?.CompletionTime is { } completed
                    && (status.LastSuccessfulTime == null || completed > status.LastSuccessfulTime))
                {
                    status.LastSuccessfulTime = completed;
                    changed = true;
                }
            }
        }
        foreach (var reference in (status.Active ?? []).ToList())
        {
            if (children.Contains(reference.Uid))
            {
                continue;
            }
            // Missing from the cache; the API decides whether it is really gone.
            try
            {
                await _client.BatchV1.ReadNamespacedJobAsync(reference.Name, reference.NamespaceProperty ?? cronJob.Metadata.NamespaceProperty, cancellationToken: ct);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
                _events.Event(cronJob, EventTypes.Normal, "MissingJob", $"Active job went missing: {reference.Name}");
                RemoveFromActive(cronJob, reference.Uid);
                changed = true;
            }
        }
        if (cronJob.Metadata.DeletionTimestamp != null)
        {
            return (null, changed);
        }
        TimeZoneInfo zone;
        try
        {
            zone = cronJob.Spec.TimeZone is { } id ? TimeZoneInfo.FindSystemTimeZoneById(id) : TimeZoneInfo.Local;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            _events.Event(cronJob, EventTypes.Warning, "UnknownTimeZone", $"invalid timeZone: \"{cronJob.Spec.TimeZone}\": {e.Message}");
            return (null, changed);
        }
        if (cronJob.Spec.Suspend == true)
        {
            return (null, changed);
        }
        if (!CronSchedule.TryParse(cronJob.Spec.Schedule, zone, out var schedule, out var error))
        {
            _events.Event(cronJob, EventTypes.Warning, "UnparseableSchedule", $"unparseable schedule: \"{cronJob.Spec.Schedule}\" : {error}");
            return (null, changed);
        }
        var scheduled = MostRecentScheduleTime(cronJob, schedule!, now);
        var requeue = NextRequeue(schedule!, now);
        if (scheduled is not { } scheduledTime)
        {
            return (requeue, changed);
        }
        if (cronJob.Spec.StartingDeadlineSeconds is { } deadline && scheduledTime.AddSeconds(deadline) < now)
        {
            _events.Event(cronJob, EventTypes.Warning, "MissSchedule",
                $"Missed scheduled time to start a job: {scheduledTime.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)}");
            return (requeue, changed);
        }
        var jobName = JobName(cronJob, scheduledTime);
        if ((status.Active ?? []).Any(r => r.Name == jobName) || status.LastScheduleTime?.ToUniversalTime() == scheduledTime)
        {
            return (requeue, changed);
        }
        if (cronJob.Spec.ConcurrencyPolicy == "Forbid" && status.Active is { Count: > 0 })
        {
            _events.Event(cronJob, EventTypes.Normal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
            return (requeue, changed);
        }
        if (cronJob.Spec.ConcurrencyPolicy == "Replace")
        {
            foreach (var reference in (status.Active ?? []).ToList())
            {
                var job = jobs.FirstOrDefault(j => j.Metadata.Uid == reference.Uid)
                    ?? await _client.BatchV1.ReadNamespacedJobAsync(reference.Name, reference.NamespaceProperty ?? cronJob.Metadata.NamespaceProperty, cancellationToken: ct);
                if (!await DeleteJobAsync(cronJob, job, ct))
                {
                    throw new InvalidOperationException($"could not replace job {job.Metadata.NamespaceProperty}/{job.Metadata.Name}");
                }
                changed = true;
            }
        }
        var request = JobFromTemplate(cronJob, scheduledTime, zone);
        V1Job created;
        try
        {
            created = await _client.BatchV1.CreateNamespacedJobAsync(request, cronJob.Metadata.NamespaceProperty, cancellationToken: ct);
            _events.Event(cronJob, EventTypes.Normal, "SuccessfulCreate", $"Created job {created.Metadata.Name}");
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            // Created before, but the status update that should have followed was lost, or someone else made it.
            created = await _client.BatchV1.ReadNamespacedJobAsync(request.Metadata.Name, cronJob.Metadata.NamespaceProperty, cancellationToken: ct);
            if (!OwnerRefs.IsControlledBy(created.Metadata, cronJob.Metadata.Uid) || InActiveList(cronJob, created.Metadata.Uid))
            {
                return (null, changed);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _events.Event(cronJob, EventTypes.Warning, "FailedCreate", $"Error creating job: {ApiErrors.Message(e)}");
            throw;
        }
        (status.Active ??= []).Add(new V1ObjectReference
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Name = created.Metadata.Name,
            NamespaceProperty = created.Metadata.NamespaceProperty,
            Uid = created.Metadata.Uid,
            ResourceVersion = created.Metadata.ResourceVersion,
        });
        status.LastScheduleTime = scheduledTime;
        return (requeue, true);
    }

    /// <summary>
    /// Upstream nextScheduleTime: the latest unmet schedule time after the last one (or the creation), no earlier than
    /// startingDeadlineSeconds ago; warns when more than 100 were missed.
    /// </summary>
    private DateTime? MostRecentScheduleTime(V1CronJob cronJob, CronSchedule schedule, DateTime now)
    {
        var earliest = (cronJob.Status.LastScheduleTime ?? cronJob.Metadata.CreationTimestamp ?? now).ToUniversalTime();
        if (cronJob.Spec.StartingDeadlineSeconds is { } deadline && now.AddSeconds(-deadline) > earliest)
        {
            earliest = now.AddSeconds(-deadline);
        }
        if (earliest > now)
        {
            return null;
        }
        var (mostRecent, missed) = schedule.MostRecent(earliest, now);
        if (missed > 100)
        {
            _events.Event(cronJob, EventTypes.Warning, "TooManyMissedTimes",
                "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        }
        return mostRecent;
    }

    private static TimeSpan? NextRequeue(CronSchedule schedule, DateTime now) =>
        schedule.Next(now) is { } next ? next - now + RequeueSlack : null;

    /// <summary>"&lt;cronjob&gt;-&lt;minutes since the epoch&gt;" (upstream getJobName / getTimeHashInMinutes).</summary>
    public static string JobName(V1CronJob cronJob, DateTime scheduledUtc) =>
        string.Create(CultureInfo.InvariantCulture, $"{cronJob.Metadata.Name}-{new DateTimeOffset(DateTime.SpecifyKind(scheduledUtc, DateTimeKind.Utc)).ToUnixTimeSeconds() / 60}");

    /// <summary>Upstream getJobFromTemplate2: the template's labels, annotations and spec, the scheduled time, a controller ref.</summary>
    internal static V1Job JobFromTemplate(V1CronJob cronJob, DateTime scheduledUtc, TimeZoneInfo zone)
    {
        var template = cronJob.Spec.JobTemplate ?? new V1JobTemplateSpec();
        var annotations = template.Metadata?.Annotations == null ? new Dictionary<string, string>() : new Dictionary<string, string>(template.Metadata.Annotations);
        var local = TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(scheduledUtc, DateTimeKind.Utc)), zone);
        annotations[ScheduledTimestampAnnotation] = local.Offset == TimeSpan.Zero
            ? local.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = JobName(cronJob, scheduledUtc),
                NamespaceProperty = cronJob.Metadata.NamespaceProperty,
                Labels = template.Metadata?.Labels == null ? null : new Dictionary<string, string>(template.Metadata.Labels),
                Annotations = annotations,
                OwnerReferences = [OwnerRefs.NewControllerRef(cronJob, "batch/v1", "CronJob")],
            },
            Spec = KubernetesJson.Deserialize<V1JobSpec>(KubernetesJson.Serialize(template.Spec)),
        };
    }

    /// <summary>Upstream cleanupFinishedJobs: the oldest (by start time) finished Jobs past the history limits go.</summary>
    private async Task<bool> CleanupFinishedJobsAsync(V1CronJob cronJob, List<V1Job> jobs, CancellationToken ct)
    {
        var changed = false;
        foreach (var (type, limit) in new[] { (JobConditions.Complete, cronJob.Spec.SuccessfulJobsHistoryLimit), (JobConditions.Failed, cronJob.Spec.FailedJobsHistoryLimit) })
        {
            if (limit is not { } max)
            {
                continue;
            }
            var finished = jobs.Where(j => JobConditions.FinishedType(j) == type)
                .OrderBy(j => j.Status?.StartTime == null ? 1 : 0)
                .ThenBy(j => j.Status?.StartTime)
                .ThenBy(j => j.Metadata.Name, StringComparer.Ordinal)
                .ToList();
            foreach (var job in finished.Take(Math.Max(0, finished.Count - max)))
            {
                if (await DeleteJobAsync(cronJob, job, ct))
                {
                    changed = true;
                }
            }
        }
        return changed;
    }

    /// <summary>Upstream deleteJob: deletes the Job (its pods in the background) and drops it from status.active.</summary>
    private async Task<bool> DeleteJobAsync(V1CronJob cronJob, V1Job job, CancellationToken ct)
    {
        try
        {
            await _client.BatchV1.DeleteNamespacedJobAsync(job.Metadata.Name, job.Metadata.NamespaceProperty,
                new V1DeleteOptions { PropagationPolicy = "Background" }, cancellationToken: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException && !ApiErrors.IsNotFound(e))
        {
            _events.Event(cronJob, EventTypes.Warning, "FailedDelete", $"Deleted job: {ApiErrors.Message(e)}");
            return false;
        }
        RemoveFromActive(cronJob, job.Metadata.Uid);
        _events.Event(cronJob, EventTypes.Normal, "SuccessfulDelete", $"Deleted job {job.Metadata.Name}");
        return true;
    }

    private static bool InActiveList(V1CronJob cronJob, string uid) => cronJob.Status?.Active?.Any(r => r.Uid == uid) == true;

    private static void RemoveFromActive(V1CronJob cronJob, string uid) =>
        cronJob.Status.Active = cronJob.Status.Active?.Where(r => r.Uid != uid).ToList();
}
