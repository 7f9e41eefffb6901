using System.Collections.Concurrent;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Scheduler.Framework;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Scheduler.Service;

/// <summary>
/// kube-scheduler's loop over the API: node and pod informers feed the <see cref="Snapshot"/> and the
/// <see cref="SchedulingQueue"/>; one loop pops a pod, runs <see cref="SchedulingAlgorithm"/>, assumes the pod in the
/// snapshot and binds it in the background (pods/binding). Only the loop touches the snapshot: informer handlers
/// post snapshot changes to <see cref="_changes"/>, which the loop applies before each cycle. Informers come from
/// <paramref name="informers"/> when given (shared with the controllers of the same process), else its own.
/// </summary>
public sealed class SchedulerService(Kubernetes client, ILogger? logger = null, InformerFactory? informers = null)
{
    public const string SchedulerName = "default-scheduler";
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(30);
    private readonly ILogger _log = logger ?? NullLogger.Instance;
    private readonly SchedulingQueue _queue = new();
    private readonly ConcurrentQueue<Action> _changes = new();
    private readonly Snapshot _snapshot = new();
    private readonly SchedulingAlgorithm _algorithm = new(Registry.DefaultProfile());
    // Pods assumed on a node whose binding is in flight (key -> node): the informer's bound copy replaces them.
    private readonly ConcurrentDictionary<string, string> _assumed = new(StringComparer.Ordinal);
    private SharedInformer<V1Pod> _pods = null!;
    private SharedInformer<V1Node> _nodes = null!;
    private EventRecorder _events = null!;
    private CancellationToken _ct;

    private static bool IsBound(V1Pod p) => !string.IsNullOrEmpty(p.Spec?.NodeName);
    private static bool IsTerminal(V1Pod p) => p.Status?.Phase is "Succeeded" or "Failed";

    private static bool Responsible(V1Pod p) =>
        !IsBound(p) && p.Metadata?.DeletionTimestamp == null && !IsTerminal(p)
        && (string.IsNullOrEmpty(p.Spec?.SchedulerName) ? SchedulerName : p.Spec.SchedulerName) == SchedulerName;

    public async Task RunAsync(CancellationToken ct)
    {
        _ct = ct;
        var factory = informers ?? new InformerFactory(client, new InformerOptions { Logger = _log });
        _pods = factory.For(ResourceTypes.Pods);
        _nodes = factory.For(ResourceTypes.Nodes);
        PodIndexes.EnsureByNodeName(_pods);
        await using var events = _events = new EventRecorder(client, SchedulerName, logger: _log);
        _nodes.AddEventHandler(onAdd: OnNodeAdd, onUpdate: OnNodeUpdate, onDelete: (n, _) => Post(() => _snapshot.RemoveNode(n.Metadata.Name)));
        _pods.AddEventHandler(onAdd: OnPodAdd, onUpdate: OnPodUpdate, onDelete: (p, _) => OnPodDelete(p));
        factory.Start(ct);
        // A shared factory is stopped by its owner.
        var running = informers == null ? factory.WhenStoppedAsync() : Task.CompletedTask;
        try
        {
            if (!await _nodes.WaitForCacheSyncAsync(ct) || !await _pods.WaitForCacheSyncAsync(ct)) return;
            _log.LogInformation("scheduler: caches synced ({Nodes} nodes, {Pods} pods)", _nodes.Indexer.Count, _pods.Indexer.Count);
            using var flush = new PeriodicTimer(FlushInterval);
            _ = FlushLoopAsync(flush, ct);
            await ScheduleLoopAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            try { await running; } catch (OperationCanceledException) { }
        }
    }

    // Upstream flushes pods unschedulable for more than 5 minutes every 30 s; we flush those parked more than 30 s,
    // so a change we do not watch (e.g. a namespace label) is noticed within a minute.
    private async Task FlushLoopAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) _queue.MoveAllToActive(_pods.Lister.GetByKey, FlushInterval);
        }
        catch (OperationCanceledException) { }
    }

    private void Post(Action change) => _changes.Enqueue(change);

    private void MoveAll() => _queue.MoveAllToActive(_pods.Lister.GetByKey);

    private void OnNodeAdd(V1Node n) => Post(() =>
    {
        _snapshot.AddOrUpdateNode(n);
        // Bound pods seen before their node could not be added to the snapshot: add them now.
        foreach (var p in _pods.Indexer.ByIndex(PodIndexes.ByNodeName, n.Metadata.Name)) if (!IsTerminal(p)) _snapshot.AddPod(p);
        MoveAll();
    });

    private void OnNodeUpdate(V1Node old, V1Node n)
    {
        // Heartbeats (condition timestamps) must not wake the unschedulable pods; only what scheduling reads.
        var helps = !Same(old.Status?.Allocatable, n.Status?.Allocatable) || !Same(old.Spec?.Taints, n.Spec?.Taints)
            || !Same(old.Metadata?.Labels, n.Metadata?.Labels) || old.Spec?.Unschedulable != n.Spec?.Unschedulable;
        _log.LogDebug("scheduler: node {Node} updated (may help: {Helps})", n.Metadata?.Name, helps);
        Post(() =>
        {
            _snapshot.AddOrUpdateNode(n);
            if (helps) MoveAll();
        });
    }

    // KubernetesJson.Serialize throws on null.
    private static bool Same(object? a, object? b) =>
        a == null || b == null ? a == null && b == null : KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b);

    private void OnPodAdd(V1Pod p)
    {
        if (IsBound(p)) { if (!IsTerminal(p)) Post(() => AddBound(p)); }
        else if (Responsible(p)) _queue.Add(p);
    }

    private void OnPodUpdate(V1Pod old, V1Pod p)
    {
        var key = SchedulingQueue.KeyOf(p);
        if (IsBound(p))
        {
            _queue.Delete(key);
            if (IsTerminal(p)) { Post(() => { _snapshot.RemovePod(p); MoveAll(); }); }
            else Post(() => AddBound(p));
            return;
        }
        if (!Responsible(p)) { _queue.Delete(key); return; }
        // Our own status writes (condition, nominatedNodeName) must not requeue a parked pod: only spec/label changes.
        if (_queue.IsParked(key) && Same(old.Spec, p.Spec) && Same(old.Metadata?.Labels, p.Metadata?.Labels)) return;
        _queue.Add(p);
    }

    private void OnPodDelete(V1Pod p)
    {
        _queue.Delete(SchedulingQueue.KeyOf(p));
        if (IsBound(p) || _assumed.ContainsKey(SchedulingQueue.KeyOf(p)))
            Post(() => { _assumed.TryRemove(SchedulingQueue.KeyOf(p), out _); _snapshot.RemovePod(p); MoveAll(); });
    }

    private void AddBound(V1Pod p)
    {
        _assumed.TryRemove(SchedulingQueue.KeyOf(p), out _);
        _snapshot.AddPod(p);
    }

    private void ApplyChanges()
    {
        while (_changes.TryDequeue(out var change))
        {
            try { change(); }
            catch (Exception e) { _log.LogWarning(e, "scheduler: applying a cluster change failed"); }
        }
    }

    private async Task ScheduleLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // Wake at least every 200 ms to apply cluster changes even when no pod waits.
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            tick.CancelAfter(TimeSpan.FromMilliseconds(200));
            var key = await _queue.PopAsync(tick.Token);
            ApplyChanges();
            if (key == null) continue;
            var pod = _pods.Lister.GetByKey(key);
            if (pod == null || !Responsible(pod) || _assumed.ContainsKey(key)) continue;
            try
            {
                ScheduleOne(pod);
            }
            catch (Exception e)
            {
                // A plugin threw on this pod (bad input): never take the scheduler down for it.
                _log.LogWarning(e, "scheduler: scheduling {Pod} failed", key);
                _queue.AddBackoff(pod, ct);
            }
        }
    }

    private void ScheduleOne(V1Pod pod)
    {
        var key = SchedulingQueue.KeyOf(pod);
        _log.LogDebug("scheduler: scheduling {Pod}", key);
        var result = _algorithm.Schedule(pod, _snapshot);
        if (result.SuggestedHost is { } node)
        {
            _snapshot.AddPod(result.PodInfo, node);
            _assumed[key] = node;
            _ = BindAsync(pod, node);
            return;
        }
        if (result.FitError is { } fit)
        {
            var message = fit.Message;
            _log.LogInformation("scheduler: {Pod} unschedulable: {Message}", key, message);
            _queue.AddUnschedulable(pod);
            string? nominated = null;
            if (result.PostFilter is { Status.IsSuccess: true, NominatedNodeName: { } n } pf)
            {
                nominated = n;
                _ = DeleteVictimsAsync(pod, pf.Victims);
            }
            _events.Event(pod, EventTypes.Warning, "FailedScheduling", message);
            _ = UpdateStatusAsync(pod, message, nominated);
            return;
        }
        _log.LogWarning("scheduler: scheduling {Pod}: {Error}", key, result.Error is { } err ? string.Join(", ", err.Reasons) : "no result");
        _queue.AddBackoff(pod, _ct);
    }

    private async Task BindAsync(V1Pod pod, string node)
    {
        var key = SchedulingQueue.KeyOf(pod);
        try
        {
            var binding = new V1Binding
            {
                Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid },
                Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = node },
            };
            await client.CoreV1.CreateNamespacedPodBindingAsync(binding, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: _ct);
            _queue.Forget(key);
            _events.Event(pod, EventTypes.Normal, "Scheduled", $"Successfully assigned {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} to {node}");
        }
        catch (Exception e) when (!_ct.IsCancellationRequested)
        {
            _log.LogWarning("scheduler: binding {Pod} to {Node} failed: {Error}", key, node, e.Message);
            Post(() =>
            {
                // Forget the assumption unless the informer already saw the pod bound.
                if (_assumed.TryRemove(key, out _)) _snapshot.RemovePod(pod, node);
            });
            _queue.AddBackoff(pod, _ct);
        }
        catch (OperationCanceledException) { }
    }

    private async Task DeleteVictimsAsync(V1Pod preemptor, IReadOnlyList<V1Pod> victims)
    {
        foreach (var v in victims.Where(v => v.Metadata?.DeletionTimestamp == null))   // already going
        {
            try
            {
                _events.Event(v, EventTypes.Normal, "Preempted", $"Preempted by pod {preemptor.Metadata.Uid} on node {v.Spec?.NodeName}");
                await client.CoreV1.DeleteNamespacedPodAsync(v.Metadata.Name, v.Metadata.NamespaceProperty,
                    new V1DeleteOptions { GracePeriodSeconds = v.Spec?.TerminationGracePeriodSeconds }, cancellationToken: _ct);
            }
            catch (Exception e) when (!_ct.IsCancellationRequested)
            {
                _log.LogWarning("scheduler: deleting victim {Pod} failed: {Error}", SchedulingQueue.KeyOf(v), e.Message);
            }
        }
    }

    /// <summary>PodScheduled=False/Unschedulable with the FitError message (and nominatedNodeName), retried on conflict.</summary>
    private async Task UpdateStatusAsync(V1Pod pod, string message, string? nominated)
    {
        for (var attempt = 0; attempt < 5 && !_ct.IsCancellationRequested; attempt++)
        {
            try
            {
                var fresh = await client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: _ct);
                if (IsBound(fresh) || fresh.Metadata.Uid != pod.Metadata.Uid) return;
                fresh.Status ??= new V1PodStatus();
                fresh.Status.Conditions ??= [];
                var c = fresh.Status.Conditions.FirstOrDefault(x => x.Type == "PodScheduled");
                if (c != null && c.Status == "False" && c.Reason == "Unschedulable" && c.Message == message
                    && (nominated == null || fresh.Status.NominatedNodeName == nominated)) return;
                if (c == null) fresh.Status.Conditions.Add(c = new V1PodCondition { Type = "PodScheduled" });
                if (c.Status != "False") c.LastTransitionTime = DateTime.UtcNow;
                c.Status = "False";
                c.Reason = "Unschedulable";
                c.Message = message;
                c.LastProbeTime = null;
                if (nominated != null) fresh.Status.NominatedNodeName = nominated;
                await client.CoreV1.ReplaceNamespacedPodStatusAsync(fresh, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: _ct);
                // Preemption: try again, with backoff so a victim's grace period does not become a busy loop.
                if (nominated != null) _queue.AddBackoff(fresh, _ct);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict) { }
            catch (Exception e) when (!_ct.IsCancellationRequested)
            {
                _log.LogWarning("scheduler: updating status of {Pod} failed: {Error}", SchedulingQueue.KeyOf(pod), e.Message);
                return;
            }
            catch (OperationCanceledException) { return; }
        }
    }
}
