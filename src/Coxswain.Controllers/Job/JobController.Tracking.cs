using System.Collections.Concurrent;
using System.Globalization;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Job;

/// <summary>
/// Pod tracking with the batch.kubernetes.io/job-tracking finalizer, as upstream: every pod is created holding it,
/// so a finished (or deleted) pod cannot vanish before it is counted. A finished pod's uid is first written to
/// status.uncountedTerminatedPods, then its finalizer is removed, then the uid moves into succeeded/failed (and
/// completedIndexes). A crash between the steps leaves the uid in the uncounted list, so it is counted exactly once.
/// </summary>
public sealed partial class JobController
{
    public const string TrackingFinalizer = "batch.kubernetes.io/job-tracking";

    // Pods whose finalizer we removed but whose update the informer has not shown yet (upstream's finalizer
    // expectations): a stale pod still holding the finalizer must not be counted a second time.
    private readonly ConcurrentDictionary<string, byte> _released = new(StringComparer.Ordinal);

    // The resourceVersion of each Job's last status write: a cache older than that would count from stale status.
    private readonly ConcurrentDictionary<string, long> _written = new(StringComparer.Ordinal);

    private static bool HasFinalizer(V1Pod pod) => pod.Metadata.Finalizers?.Contains(TrackingFinalizer) == true;

    private void ObserveFinalizer(V1Pod pod, bool deleted)
    {
        if (deleted || !HasFinalizer(pod))
        {
            _released.TryRemove(pod.Metadata.Uid ?? "", out _);
        }
    }

    /// <summary>True when the cached Job predates our own last status write.</summary>
    private bool IsStale(string key, V1Job cached) =>
        _written.TryGetValue(key, out var written)
        && long.TryParse(cached.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var seen)
        && seen < written;

    private async Task WriteStatusAsync(string key, V1Job job, CancellationToken ct)
    {
        var updated = await _client.BatchV1.ReplaceNamespacedJobStatusAsync(job, job.Metadata.Name, job.Metadata.NamespaceProperty, cancellationToken: ct);
        job.Metadata.ResourceVersion = updated.Metadata?.ResourceVersion ?? job.Metadata.ResourceVersion;
        if (long.TryParse(job.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
        {
            _written[key] = rv;
        }
    }

    /// <summary>
    /// Counts the Job's finished pods (upstream trackJobStatusAndRemoveFinalizers) and returns the completed indexes
    /// of an Indexed Job.
    /// </summary>
    private async Task<SortedSet<int>?> TrackFinishedPodsAsync(string key, V1Job job, List<V1Pod> pods, CancellationToken ct)
    {
        var status = job.Status;
        var uncounted = status.UncountedTerminatedPods ??= new V1UncountedTerminatedPods();
        uncounted.Succeeded ??= [];
        uncounted.Failed ??= [];
        var known = new HashSet<string>(uncounted.Succeeded.Concat(uncounted.Failed), StringComparer.Ordinal);
        var completions = job.Spec.Completions ?? 0;
        var completed = job.Spec.CompletionMode == "Indexed" ? ParseIndexes(status.CompletedIndexes, completions) : null;
        var release = new List<V1Pod>();
        var added = false;
        foreach (var pod in pods)
        {
            var uid = pod.Metadata.Uid;
            if (!HasFinalizer(pod) || _released.ContainsKey(uid))
            {
                continue;
            }
            var phase = pod.Status?.Phase;
            var deleted = pod.Metadata.DeletionTimestamp != null;
            if (known.Contains(uid))
            {
                release.Add(pod);
            }
            else if (phase == "Succeeded")
            {
                // An Indexed Job counts one success per index; extra successes only lose their finalizer.
                if (completed == null || (JobPods.IndexOf(pod) is { } i && i < completions && completed.Add(i)))
                {
                    uncounted.Succeeded.Add(uid);
                    added = true;
                }
                release.Add(pod);
            }
            else if (phase == "Failed" || deleted)
            {
                // As upstream isPodFailed: a pod deleted unfinished failed, unless only Failed pods are replaced
                // (podReplacementPolicy Failed); then it is let go uncounted, as the simulated kubelet never fails it.
                // A failure the pod failure policy ignores is not counted either.
                if ((phase == "Failed" || !OnlyReplaceFailedPods(job)) && PodFailurePolicy.Match(job.Spec.PodFailurePolicy, pod).Counts)
                {
                    uncounted.Failed.Add(uid);
                    added = true;
                }
                release.Add(pod);
            }
        }
        if (completed != null)
        {
            status.CompletedIndexes = JobPods.FormatIndexes(completed);
        }
        if (added)
        {
            await WriteStatusAsync(key, job, ct); // the uids are on record before any finalizer goes
        }
        var held = await RemoveFinalizersAsync(release, ct);
        var stillSucceeded = uncounted.Succeeded.Where(held.Contains).ToList();
        var stillFailed = uncounted.Failed.Where(held.Contains).ToList();
        status.Succeeded = (status.Succeeded ?? 0) + uncounted.Succeeded.Count - stillSucceeded.Count;
        status.Failed = (status.Failed ?? 0) + uncounted.Failed.Count - stillFailed.Count;
        uncounted.Succeeded = stillSucceeded;
        uncounted.Failed = stillFailed;
        return completed;
    }

    private static bool OnlyReplaceFailedPods(V1Job job) => job.Spec.PodReplacementPolicy == "Failed" || job.Spec.PodFailurePolicy != null;

    /// <summary>Removes the tracking finalizer; returns the uids of pods that still hold it (the patch failed).</summary>
    private async Task<HashSet<string>> RemoveFinalizersAsync(List<V1Pod> pods, CancellationToken ct)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        await Task.WhenAll(pods.Select(async pod =>
        {
            var uid = pod.Metadata.Uid;
            // Marked before the patch: its update may reach the informer before the patch call returns.
            _released[uid] = 0;
            try
            {
                var patch = $"{{\"metadata\":{{\"$deleteFromPrimitiveList/finalizers\":[\"{TrackingFinalizer}\"],\"uid\":\"{uid}\"}}}}";
                await _podControl.PatchAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, patch, ct);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
            {
                // Gone (or replaced): the finalizer is gone with it.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _released.TryRemove(uid, out _);
                lock (held)
                {
                    held.Add(uid);
                }
            }
        }));
        return held;
    }

    /// <summary>
    /// Pods holding the finalizer for a Job that is gone, was replaced by one of the same name, is being deleted or
    /// finished: nothing will count them any more, so they are let go (upstream syncOrphanPod / finished-job cleanup).
    /// </summary>
    private async Task ReleaseAbandonedAsync(string key, V1Job? job, CancellationToken ct)
    {
        var (ns, name) = Indexer<V1Job>.SplitKey(key);
        var abandoned = job == null || job.Metadata.DeletionTimestamp != null || JobConditions.IsFinished(job);
        var pods = _pods.Lister.List(ns).Where(p =>
            HasFinalizer(p) && OwnerRefs.ControllerOf(p.Metadata) is { Kind: "Job" } owner && owner.Name == name
            && (abandoned || owner.Uid != job!.Metadata.Uid)).ToList();
        if (pods.Count > 0)
        {
            var held = await RemoveFinalizersAsync(pods, ct);
            if (held.Count > 0)
            {
                throw new InvalidOperationException($"could not remove the {TrackingFinalizer} finalizer from {held.Count} pods");
            }
        }
    }

    /// <summary>Parses "1,3-5" (status.completedIndexes), keeping indexes below <paramref name="completions"/>.</summary>
    internal static SortedSet<int> ParseIndexes(string? text, int completions)
    {
        var set = new SortedSet<int>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            int first, end;
            var ok = dash < 0
                ? int.TryParse(part, CultureInfo.InvariantCulture, out first) & int.TryParse(part, CultureInfo.InvariantCulture, out end)
                : int.TryParse(part.AsSpan(0, dash), CultureInfo.InvariantCulture, out first) & int.TryParse(part.AsSpan(dash + 1), CultureInfo.InvariantCulture, out end);
            for (var i = first; ok && i <= end && i < completions; i++)
            {
                set.Add(i);
            }
        }
        return set;
    }
}
