using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.Job;

/// <summary>
/// Upstream's ttl-after-finished controller: deletes a finished Job (cascading to its pods in the foreground)
/// <c>ttlSecondsAfterFinished</c> after its Complete/Failed condition, re-reading the Job first so that a TTL
/// changed meanwhile is honoured.
/// </summary>
public sealed class TtlAfterFinishedController : QueueController
{
    public const string ControllerName = "ttl-after-finished-controller";

    private readonly IKubernetes _client;
    private readonly SharedInformer<V1Job> _jobs;
    private readonly TimeProvider _time;

    public TtlAfterFinishedController(ControllerManager manager, TimeProvider? time = null)
        : base(ControllerName, manager.Loggers.CreateLogger(ControllerName))
    {
        _client = manager.Client;
        _time = time ?? TimeProvider.System;
        _jobs = manager.Informers.For(ResourceTypes.Jobs);
        _jobs.AddEventHandler(onAdd: EnqueueIfNeeded, onUpdate: (_, j) => EnqueueIfNeeded(j));
    }

    private void EnqueueIfNeeded(V1Job job)
    {
        if (NeedsCleanup(job))
        {
            Enqueue(Indexer<V1Job>.KeyOf(job));
        }
    }

    private static bool NeedsCleanup(V1Job job) =>
        job.Spec?.TtlSecondsAfterFinished != null && job.Metadata.DeletionTimestamp == null && JobConditions.IsFinished(job);

    protected override Task<bool> WaitForCacheSyncAsync(CancellationToken ct) => _jobs.WaitForCacheSyncAsync(ct);

    public override async Task SyncAsync(string key, CancellationToken ct)
    {
        var job = _jobs.Lister.GetByKey(key);
        if (job == null || !NeedsCleanup(job) || Remaining(job) is not { } left)
        {
            return;
        }
        if (left > TimeSpan.Zero)
        {
            EnqueueAfter(key, left);
            return;
        }
        // The cache may be stale: check the TTL against the Job as stored before deleting it.
        V1Job fresh;
        try
        {
            fresh = await _client.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, job.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return;
        }
        if (!NeedsCleanup(fresh) || Remaining(fresh) is not { } freshLeft)
        {
            return;
        }
        if (freshLeft > TimeSpan.Zero)
        {
            EnqueueAfter(key, freshLeft);
            return;
        }
        try
        {
            await _client.BatchV1.DeleteNamespacedJobAsync(fresh.Metadata.Name, fresh.Metadata.NamespaceProperty,
                new V1DeleteOptions { PropagationPolicy = "Foreground", Preconditions = new V1Preconditions { ResourceVersion = fresh.Metadata.ResourceVersion } },
                cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    private TimeSpan? Remaining(V1Job job) =>
        JobConditions.FinishedAt(job) is { } at
            ? at.AddSeconds(job.Spec.TtlSecondsAfterFinished!.Value) - _time.GetUtcNow().UtcDateTime
            : null;
}
