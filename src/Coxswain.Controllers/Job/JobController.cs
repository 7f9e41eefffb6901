using System.Globalization;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.Job;

/// <summary>
/// Upstream's Job controller (pkg/controller/job): runs a Job's pods to completion. Keeps up to
/// <c>parallelism</c> pods active until <c>completions</c> pods succeeded (NonIndexed) or every index in
/// [0, completions) has a succeeded pod (Indexed); fails the Job past <c>backoffLimit</c> failed pods or
/// <c>activeDeadlineSeconds</c>; deletes active pods while <c>suspend</c> is true. As upstream 1.31+, the
/// interim condition (SuccessCriteriaMet / FailureTarget) comes first and the terminal one (Complete / Failed)
/// once no pod of the Job is still running or terminating.
/// Finished pods are counted through the job-tracking finalizer (JobController.Tracking.cs).
/// </summary>
public sealed partial class JobController : QueueController
{
    public const string ControllerName = "job-controller";
    public const string ManagedByDefault = "kubernetes.io/job-controller";

    private readonly IKubernetes _client;
    private readonly SharedInformer<V1Job> _jobs;
    private readonly SharedInformer<V1Pod> _pods;
    private readonly EventRecorder _events;
    private readonly PodControl _podControl;
    private readonly TimeProvider _time;

    public JobController(ControllerManager manager, TimeProvider? time = null)
        : base(ControllerName, manager.Loggers.CreateLogger(ControllerName))
    {
        _client = manager.Client;
        _time = time ?? TimeProvider.System;
        _jobs = manager.Informers.For(ResourceTypes.Jobs);
        _pods = manager.Informers.For(ResourceTypes.Pods);
        _events = manager.Recorder(ControllerName);
        _podControl = new PodControl(_client, _events);
        Expectations = new Expectations(_time);
        _jobs.AddEventHandler(
            onAdd: j => Enqueue(Indexer<V1Job>.KeyOf(j)),
            onUpdate: (_, j) => Enqueue(Indexer<V1Job>.KeyOf(j)),
            onDelete: (j, _) =>
            {
                var key = Indexer<V1Job>.KeyOf(j);
                Expectations.Delete(key);
                Enqueue(key);
            });
        _pods.AddEventHandler(onAdd: PodAdded, onUpdate: PodUpdated, onDelete: (p, _) => PodDeleted(p));
    }

    internal Expectations Expectations { get; }

    protected override async Task<bool> WaitForCacheSyncAsync(CancellationToken ct) =>
        await _jobs.WaitForCacheSyncAsync(ct) && await _pods.WaitForCacheSyncAsync(ct);

    private static string? JobKeyOf(V1Pod pod) =>
        OwnerRefs.ControllerOf(pod.Metadata) is { Kind: "Job" } owner && owner.ApiVersion?.StartsWith("batch/", StringComparison.Ordinal) == true
            ? Indexer<V1Job>.KeyOf(pod.Metadata.NamespaceProperty, owner.Name)
            : null;

    private void PodAdded(V1Pod pod)
    {
        ObserveFinalizer(pod, deleted: false);
        if (JobKeyOf(pod) is { } key)
        {
            if (pod.Metadata.DeletionTimestamp != null)
            {
                Expectations.DeletionObserved(key, Indexer<V1Pod>.KeyOf(pod));
            }
            else
            {
                Expectations.CreationObserved(key);
            }
            Enqueue(key);
            return;
        }
        EnqueueMatchingJobs(pod);
    }

    private void PodUpdated(V1Pod old, V1Pod pod)
    {
        if (old.Metadata.ResourceVersion == pod.Metadata.ResourceVersion)
        {
            return;
        }
        ObserveFinalizer(pod, deleted: false);
        var key = JobKeyOf(pod);
        var oldKey = JobKeyOf(old);
        if (oldKey != null && oldKey != key)
        {
            Enqueue(oldKey);
        }
        if (key != null)
        {
            if (pod.Metadata.DeletionTimestamp != null && old.Metadata.DeletionTimestamp == null)
            {
                Expectations.DeletionObserved(key, Indexer<V1Pod>.KeyOf(pod));
            }
            Enqueue(key);
        }
        else if (!LabelsEqual(old.Metadata.Labels, pod.Metadata.Labels) || oldKey != null)
        {
            EnqueueMatchingJobs(pod);
        }
    }

    private void PodDeleted(V1Pod pod)
    {
        ObserveFinalizer(pod, deleted: true);
        if (JobKeyOf(pod) is { } key)
        {
            Expectations.DeletionObserved(key, Indexer<V1Pod>.KeyOf(pod));
            Enqueue(key);
        }
    }

    /// <summary>An orphan: the jobs whose selector matches it may adopt it.</summary>
    private void EnqueueMatchingJobs(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp != null)
        {
            return;
        }
        var labels = pod.Metadata.Labels ?? new Dictionary<string, string>();
        foreach (var job in _jobs.Lister.List(pod.Metadata.NamespaceProperty))
        {
            if (job.Spec?.Selector != null && LabelSelectors.Matches(job.Spec.Selector, labels))
            {
                Enqueue(Indexer<V1Job>.KeyOf(job));
            }
        }
    }

    private static bool LabelsEqual(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a == null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));

    public override async Task SyncAsync(string key, CancellationToken ct)
    {
        var cached = _jobs.Lister.GetByKey(key);
        if (cached == null)
        {
            Expectations.Delete(key);
            _written.TryRemove(key, out _);
            await ReleaseAbandonedAsync(key, null, ct);
            return;
        }
        if (cached.Spec.ManagedBy is { } managedBy && managedBy != ManagedByDefault)
        {
            return;
        }
        await ReleaseAbandonedAsync(key, cached, ct);
        if (JobConditions.IsFinished(cached) || cached.Metadata.DeletionTimestamp != null || IsStale(key, cached))
        {
            return; // a stale cache is synced again when our own status write reaches it
        }
        var satisfied = Expectations.Satisfied(key);
        var job = KubernetesJson.Deserialize<V1Job>(KubernetesJson.Serialize(cached)); // never mutate the cache
        var before = KubernetesJson.Serialize(job.Status);
        var status = job.Status ??= new V1JobStatus();
        var now = _time.GetUtcNow().UtcDateTime;
        var claimed = await ClaimPodsAsync(job, ct);
        var pods = JobPods.From(claimed);
        var suspended = job.Spec.Suspend == true;
        if (status.StartTime == null && !suspended)
        {
            status.StartTime = now;
        }
        var succeededIndexes = await TrackFinishedPodsAsync(key, job, claimed, ct);

        var deleted = 0;
        var finishing = JobConditions.Find(status, JobConditions.FailureTarget) ?? JobConditions.Find(status, JobConditions.SuccessCriteriaMet);
        if (finishing == null)
        {
            finishing = Verdict(job, pods, succeededIndexes, now);
            if (finishing != null)
            {
                JobConditions.Set(status, finishing);
            }
        }
        if (finishing != null)
        {
            // Finishing: no pod of the Job may keep running; the terminal condition waits until none is left.
            if (satisfied && pods.Active.Count > 0)
            {
                deleted = await DeletePodsAsync(key, job, pods.Active, uncounted: false, ct); // they count as failed
            }
            if (satisfied && pods.Active.Count == 0 && pods.Terminating == 0 && IsEmpty(status.UncountedTerminatedPods))
            {
                Finish(job, finishing, now);
            }
        }
        else
        {
            Suspension(job, suspended, now);
            if (satisfied)
            {
                deleted = await ManagePodsAsync(key, job, pods, succeededIndexes, suspended, now, ct);
            }
            if (!suspended && job.Spec.ActiveDeadlineSeconds is { } deadline && status.StartTime is { } started)
            {
                EnqueueAfter(key, started.ToUniversalTime().AddSeconds(deadline) - now);
            }
        }
        // Pods deleted in this sync are terminating already (upstream counts them so too).
        status.Active = pods.Active.Count - deleted;
        status.Ready = pods.Ready;
        status.Terminating = pods.Terminating + deleted;
        if (KubernetesJson.Serialize(job.Status) != before)
        {
            await WriteStatusAsync(key, job, ct);
        }
    }

    private static bool IsEmpty(V1UncountedTerminatedPods? u) => (u?.Succeeded?.Count ?? 0) == 0 && (u?.Failed?.Count ?? 0) == 0;

    /// <summary>Has the Job failed (backoff limit, deadline) or met its success criteria? The interim condition if so.</summary>
    private static V1JobCondition? Verdict(V1Job job, JobPods pods, SortedSet<int>? succeededIndexes, DateTime now)
    {
        var status = job.Status;
        foreach (var failed in job.Spec.PodFailurePolicy == null ? [] : pods.Failed)
        {
            if (PodFailurePolicy.Match(job.Spec.PodFailurePolicy, failed).FailJobMessage is { } message)
            {
                return JobConditions.New(JobConditions.FailureTarget, PodFailurePolicy.Reason, message, now);
            }
        }
        if ((status.Failed ?? 0) > (job.Spec.BackoffLimit ?? 6) || pods.PastBackoffLimitOnFailure(job))
        {
            return JobConditions.New(JobConditions.FailureTarget, JobConditions.BackoffLimitExceeded, "Job has reached the specified backoff limit", now);
        }
        if (job.Spec.Suspend != true && job.Spec.ActiveDeadlineSeconds is { } deadline && status.StartTime is { } started
            && started.ToUniversalTime().AddSeconds(deadline) <= now)
        {
            return JobConditions.New(JobConditions.FailureTarget, JobConditions.DeadlineExceeded, "Job was active longer than specified deadline", now);
        }
        // Surplus pods are deleted by ManagePodsAsync first: complete only once none is active, as upstream.
        var complete = pods.Active.Count == 0 && (job.Spec.Completions is { } completions
            ? (succeededIndexes?.Count ?? status.Succeeded ?? 0) >= completions
            : (status.Succeeded ?? 0) > 0);
        return complete
            ? JobConditions.New(JobConditions.SuccessCriteriaMet, JobConditions.CompletionsReached, "Reached expected number of succeeded pods", now)
            : null;
    }

    private void Finish(V1Job job, V1JobCondition interim, DateTime now)
    {
        var success = interim.Type == JobConditions.SuccessCriteriaMet;
        var type = success ? JobConditions.Complete : JobConditions.Failed;
        if (JobConditions.Find(job.Status, type) != null)
        {
            return;
        }
        JobConditions.Set(job.Status, JobConditions.New(type, interim.Reason, interim.Message, now));
        if (success)
        {
            job.Status.CompletionTime = now;
            _events.Event(job, EventTypes.Normal, "Completed", "Job completed");
        }
        else
        {
            _events.Event(job, EventTypes.Warning, interim.Reason, interim.Message);
        }
    }

    /// <summary>The Suspended condition and its events; resuming restarts the activeDeadlineSeconds clock.</summary>
    private void Suspension(V1Job job, bool suspended, DateTime now)
    {
        var current = job.Status.Conditions?.FirstOrDefault(c => c.Type == JobConditions.Suspended);
        if (suspended && current?.Status != "True")
        {
            JobConditions.Set(job.Status, JobConditions.New(JobConditions.Suspended, "JobSuspended", "Job suspended", now));
            _events.Event(job, EventTypes.Normal, "Suspended", "Job suspended");
        }
        else if (!suspended && current?.Status == "True")
        {
            var resumed = JobConditions.New(JobConditions.Suspended, "JobResumed", "Job resumed", now);
            resumed.Status = "False";
            JobConditions.Set(job.Status, resumed);
            _events.Event(job, EventTypes.Normal, "Resumed", "Job resumed");
            job.Status.StartTime = now;
        }
    }

    /// <summary>Upstream manageJob: deletes surplus pods, creates missing ones (held back by the failure backoff).</summary>
    /// <returns>How many pods it deleted.</returns>
    private async Task<int> ManagePodsAsync(string key, V1Job job, JobPods pods, SortedSet<int>? succeededIndexes, bool suspended, DateTime now, CancellationToken ct)
    {
        var parallelism = job.Spec.Parallelism ?? 1;
        var active = pods.Active;
        if (suspended)
        {
            return active.Count > 0 ? await DeletePodsAsync(key, job, active, uncounted: true, ct) : 0;
        }
        var surplus = new List<V1Pod>();
        var toCreate = new List<int?>();
        if (succeededIndexes != null)
        {
            var completions = job.Spec.Completions ?? 0;
            var activeIndexes = new HashSet<int>();
            // Pods of an invalid, succeeded or already running index go (upstream firstPendingIndexes / duplicates).
            foreach (var pod in active.OrderByDescending(Pods.IsReady))
            {
                if (JobPods.IndexOf(pod) is not { } i || i >= completions || succeededIndexes.Contains(i) || !activeIndexes.Add(i))
                {
                    surplus.Add(pod);
                }
            }
            var want = Math.Min(parallelism, completions - succeededIndexes.Count);
            var kept = active.Count - surplus.Count;
            surplus.AddRange(JobPods.DeletionOrder(active.Except(surplus)).Take(Math.Max(0, kept - want)));
            for (var i = 0; i < completions && kept + toCreate.Count < want; i++)
            {
                if (!succeededIndexes.Contains(i) && !activeIndexes.Contains(i))
                {
                    toCreate.Add(i);
                }
            }
        }
        else
        {
            var succeeded = job.Status.Succeeded ?? 0;
            var want = job.Spec.Completions is { } completions
                ? Math.Max(0, Math.Min(parallelism, completions - succeeded))
                : succeeded > 0 ? active.Count : parallelism; // no completions: the first success stops new pods
            surplus.AddRange(JobPods.DeletionOrder(active).Take(Math.Max(0, active.Count - want)));
            toCreate.AddRange(Enumerable.Repeat<int?>(null, Math.Max(0, want - active.Count)));
        }
        if (surplus.Count > 0)
        {
            return await DeletePodsAsync(key, job, surplus, uncounted: true, ct);
        }
        if (toCreate.Count == 0)
        {
            return 0;
        }
        var delay = pods.CreationDelay(now);
        if (delay > TimeSpan.Zero)
        {
            EnqueueAfter(key, delay);
            return 0;
        }
        await CreatePodsAsync(key, job, toCreate.Take(MaxPodCreateDeletePerSync).ToList(), ct);
        return 0;
    }

    /// <summary>Upstream's MaxPodCreateDeletePerSync.</summary>
    private const int MaxPodCreateDeletePerSync = 500;

    private async Task CreatePodsAsync(string key, V1Job job, List<int?> indexes, CancellationToken ct)
    {
        var controllerRef = OwnerRefs.NewControllerRef(job, "batch/v1", "Job");
        Expectations.ExpectCreations(key, indexes.Count);
        var attempted = 0;
        var (_, error) = await SlowStart.BatchAsync(indexes.Count, async n =>
        {
            Interlocked.Increment(ref attempted);
            try
            {
                var index = indexes[n];
                await _podControl.CreateAsync(job, job.Spec.Template, controllerRef, ct, customize: pod =>
                {
                    (pod.Metadata.Finalizers ??= []).Add(TrackingFinalizer);
                    if (index is { } i)
                    {
                        AddCompletionIndex(pod, job, i);
                    }
                });
            }
            catch
            {
                Expectations.CreationObserved(key); // it will never be seen
                throw;
            }
        });
        // Nor will the creations of the batches slow start skipped after a failure.
        for (var i = attempted; i < indexes.Count; i++)
        {
            Expectations.CreationObserved(key);
        }
        if (error != null)
        {
            throw error;
        }
    }

    /// <summary>Upstream addCompletionIndexAnnotation / label / env var and hostname for Indexed Jobs.</summary>
    internal static void AddCompletionIndex(V1Pod pod, V1Job job, int index)
    {
        var value = index.ToString(CultureInfo.InvariantCulture);
        (pod.Metadata.Annotations ??= new Dictionary<string, string>())[JobPods.CompletionIndexKey] = value;
        (pod.Metadata.Labels ??= new Dictionary<string, string>())[JobPods.CompletionIndexKey] = value;
        pod.Metadata.GenerateName = $"{job.Metadata.Name}-{value}-";
        pod.Spec.Hostname ??= $"{job.Metadata.Name}-{value}";
        var env = new V1EnvVar
        {
            Name = JobPods.CompletionIndexEnv,
            ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = $"metadata.annotations['{JobPods.CompletionIndexKey}']" } },
        };
        foreach (var c in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []))
        {
            c.Env ??= [];
            if (!c.Env.Any(e => e.Name == JobPods.CompletionIndexEnv))
            {
                c.Env.Add(env);
            }
        }
    }

    /// <summary>
    /// Deletes pods. Pods removed for suspension or as surplus are <paramref name="uncounted"/>: upstream's deleteJobPods
    /// drops their tracking finalizer first so they never count as failed; pods killed because the Job is finishing
    /// keep it (deleteActivePods) and are counted as failed once gone.
    /// </summary>
    private async Task<int> DeletePodsAsync(string key, V1Job job, List<V1Pod> pods, bool uncounted, CancellationToken ct)
    {
        var batch = pods.Take(MaxPodCreateDeletePerSync).ToList();
        Expectations.ExpectDeletions(key, batch.Select(Indexer<V1Pod>.KeyOf).ToList());
        var deleted = 0;
        var failures = await Expectations.DeleteAllAsync(key, batch, async pod =>
        {
            if (uncounted && HasFinalizer(pod) && (await RemoveFinalizersAsync([pod], ct)).Count > 0)
            {
                throw new InvalidOperationException($"removing the {TrackingFinalizer} finalizer of {pod.Metadata.Name} failed");
            }
            if (!await _podControl.DeleteAsync(job, pod, ct))
            {
                return false;
            }
            Interlocked.Increment(ref deleted);
            return true;
        });
        if (failures.Count > 0)
        {
            throw failures[0];
        }
        return deleted;
    }

    /// <summary>The pods the Job controls after adoption of matching orphans and release of strays.</summary>
    private async Task<List<V1Pod>> ClaimPodsAsync(V1Job job, CancellationToken ct)
    {
        var selector = job.Spec.Selector ?? new V1LabelSelector();
        var candidates = _pods.Lister.List(job.Metadata.NamespaceProperty);
        var refs = new ControllerRefManager<V1Pod>(job, OwnerRefs.NewControllerRef(job, "batch/v1", "Job"), selector, _podControl.PatchAsync,
            async c =>
            {
                // Upstream re-reads the Job: one deleted or replaced since the cache was filled adopts nothing.
                var fresh = await _client.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, job.Metadata.NamespaceProperty, cancellationToken: c);
                return fresh.Metadata?.Uid == job.Metadata.Uid && fresh.Metadata.DeletionTimestamp == null;
            });
        var claimed = await refs.ClaimAsync(candidates, ct);
        // Adopted pods get the tracking finalizer too (upstream adds it with the ownerReference), so they are counted.
        for (var i = 0; i < claimed.Count; i++)
        {
            var pod = claimed[i];
            if (!OwnerRefs.IsControlledBy(pod.Metadata, job.Metadata.Uid) && !HasFinalizer(pod) && pod.Metadata.DeletionTimestamp == null)
            {
                await _podControl.PatchAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name,
                    $"{{\"metadata\":{{\"finalizers\":[\"{TrackingFinalizer}\"],\"uid\":\"{pod.Metadata.Uid}\"}}}}", ct);
                var copy = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(pod));
                (copy.Metadata.Finalizers ??= []).Add(TrackingFinalizer);
                claimed[i] = copy;
            }
        }
        return claimed;
    }
}
