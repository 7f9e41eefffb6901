using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.WorkQueue;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Simulated;

/// <summary>
/// The pod side of the simulated kubelets: ONE informer over all pods, indexed by spec.nodeName, and a work queue
/// keyed by pod. A pod on one of our nodes is "started" after a delay (phase Running, IPs, ready containers),
/// failed or completed if annotated <see cref="ExitCodeAnnotation"/>, and removed once its deletionTimestamp is set.
/// </summary>
internal sealed partial class SimulatedPods(Kubernetes client, SimulatedNodeOptions options, ILogger logger)
{
    /// <summary>Containers of a pod with this annotation "exit" with that code about a second after starting ("0": they complete).</summary>
    public const string ExitCodeAnnotation = "coxswain.dev/simulate-exit-code";

    private static readonly TimeSpan CrashAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    public async Task RunAsync(Func<string, SimulatedNode?> nodeOf, CancellationToken ct)
    {
        var informer = new SharedInformer<V1Pod>(client, ResourceTypes.Pods);
        using var queue = new RateLimitingQueue<string>();
        void Enqueue(V1Pod p)
        {
            if (p.Spec?.NodeName is { } n && nodeOf(n) is not null)
            {
                queue.Add(Indexer<V1Pod>.KeyOf(p));
            }
        }
        informer.AddEventHandler(onAdd: Enqueue, onUpdate: (_, p) => Enqueue(p), onDelete: null);
        var run = informer.RunAsync(ct);
        await informer.WaitForCacheSyncAsync(ct);
        using var stop = ct.Register(queue.ShutDown);
        var workers = Enumerable.Range(0, options.PodWorkers).Select(_ => WorkerAsync(informer.Lister, queue, nodeOf, ct)).ToList();
        await Task.WhenAll(workers);
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WorkerAsync(Lister<V1Pod> lister, RateLimitingQueue<string> queue, Func<string, SimulatedNode?> nodeOf, CancellationToken ct)
    {
        while (true)
        {
            var (key, shutdown) = await queue.GetAsync(ct);
            if (shutdown)
            {
                return;
            }
            try
            {
                var retryAfter = await SyncAsync(lister.GetByKey(key), nodeOf, ct);
                queue.Forget(key);
                if (retryAfter is { } delay)
                {
                    queue.AddAfter(key, delay);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogSyncFailed(logger, key, e.Message);
                queue.AddRateLimited(key);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    /// <summary>Moves one pod a step along; returns when to look at it again, if a timed step is pending.</summary>
    private async Task<TimeSpan?> SyncAsync(V1Pod? pod, Func<string, SimulatedNode?> nodeOf, CancellationToken ct)
    {
        if (pod?.Spec?.NodeName is not { } nodeName || nodeOf(nodeName) is not { } node)
        {
            return null;
        }
        var now = DateTime.UtcNow;
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            await TerminateAsync(pod, now, ct);
            return null;
        }
        var phase = pod.Status?.Phase;
        if (phase is "Succeeded" or "Failed")
        {
            return null;
        }
        var exitCode = ExitCode(pod);
        if (phase != "Running")
        {
            var startAt = (pod.Metadata.CreationTimestamp ?? now) + StartDelay(pod);
            if (startAt > now)
            {
                return startAt - now;
            }
            var status = PodStatuses.Running(pod, node, now);
            await PatchStatusAsync(pod, status, ct);
            return exitCode is null ? null : CrashAfter;
        }
        if (exitCode is not { } code)
        {
            return null;
        }
        // A running pod that is told to fail: exit once it has run CrashAfter (plus its backoff after restarts).
        var restarts = pod.Status?.ContainerStatuses?.FirstOrDefault()?.RestartCount ?? 0;
        var started = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Running?.StartedAt ?? now;
        var crashAt = started + CrashAfter + Backoff(restarts);
        if (crashAt > now)
        {
            return crashAt - now;
        }
        // Exit 0 ends the pod under Never/OnFailure (phase Succeeded); Always restarts whatever the code.
        var next = pod.Spec.RestartPolicy switch
        {
            "Never" when code != 0 => PodStatuses.Failed(pod, code, now),
            "Never" or "OnFailure" when code == 0 => PodStatuses.Terminated(pod, 0, now, "Succeeded"),
            _ => PodStatuses.Restarted(pod, code, now),
        };
        await PatchStatusAsync(pod, next, ct);
        return null;
    }

    private async Task TerminateAsync(V1Pod pod, DateTime now, CancellationToken ct)
    {
        // Upstream the kubelet stops the containers, reports them terminated, then deletes with grace 0.
        if (pod.Status?.ContainerStatuses?.Any(c => c.State?.Running is not null) == true)
        {
            await PatchStatusAsync(pod, PodStatuses.Terminated(pod, 0, now, pod.Status.Phase ?? "Running"), ct);
        }
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } },
                cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict)
        {
            // Already gone, or replaced by a new pod of the same name (uid precondition).
        }
    }

    private async Task PatchStatusAsync(V1Pod pod, V1PodStatus status, CancellationToken ct)
    {
        try
        {
            var patch = new V1Pod { Status = status };
            await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch),
                pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    private TimeSpan StartDelay(V1Pod pod)
    {
        // Derived from the uid so a restarted agent picks the same delay; spread over [0, MaxStartDelay].
        uint hash = 2166136261; // FNV-1a: string.GetHashCode is randomized per process
        foreach (var c in pod.Metadata.Uid ?? pod.Metadata.Name)
        {
            hash = (hash ^ c) * 16777619;
        }
        return options.MaxStartDelay * (hash % 1000 / 1000.0);
    }

    private static TimeSpan Backoff(int restarts) =>
        restarts == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, TimeSpan.FromSeconds(10).Ticks << Math.Min(restarts - 1, 10)));

    private static int? ExitCode(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(ExitCodeAnnotation, out var v) == true && int.TryParse(v, out var code) ? code : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "syncing simulated pod {Pod} failed: {Error}")]
    private static partial void LogSyncFailed(ILogger logger, string pod, string error);
}
