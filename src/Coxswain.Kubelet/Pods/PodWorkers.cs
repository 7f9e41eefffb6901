using System.Collections.Concurrent;
using System.Threading.Channels;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Client.ListWatch;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Pods;

/// <summary>
/// Upstream's pod workers: one loop per pod (by uid) that syncs it whenever the API object changes, the runtime
/// relist (PLEG) sees one of its containers change, a probe result flips, or a back-off expires. The pods come
/// from a watch on <c>spec.nodeName=&lt;node&gt;</c>. Pods the runtime holds but the API no longer has (deleted
/// while the agent was down) get workers too, which stop and remove them; running pods of the API are adopted
/// as they are, not restarted.
/// </summary>
public sealed partial class PodWorkers : IAsyncDisposable
{
    private readonly Kubernetes _client;
    private readonly CriClient _cri;
    private readonly KubeletSettings _settings;
    private readonly ILogger _logger;
    private readonly PodSyncer _syncer;
    private readonly ProbeManager _probes;
    private readonly IPodResources _resources;
    private readonly IEventRecorder _events;
    private readonly ConcurrentDictionary<string, Worker> _workers = new();
    private readonly SharedInformer<V1Pod> _informer;

    private sealed class Worker(string uid)
    {
        public readonly string Uid = uid;
        public readonly PodRecord Record = new(uid);
        public readonly Channel<bool> Wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        public volatile V1Pod? Pod;
        public volatile bool Deleted;
        public Task? Loop;
    }

    internal PodWorkers(Kubernetes client, CriClient cri, KubeletSettings settings, IPodResources resources, IEventRecorder events, ILogger logger)
    {
        _client = client;
        _cri = cri;
        _settings = settings;
        _logger = logger;
        _resources = resources;
        _events = events;
        _probes = new ProbeManager(cri, events, Wake);
        _syncer = new PodSyncer(cri, settings, resources, events, new ImagePuller(cri, events), _probes, logger);
        _informer = new SharedInformer<V1Pod>(new ListWatcher<V1Pod>(client, ResourceTypes.Pods, fieldSelector: $"spec.nodeName={settings.NodeName}"));
    }

    /// <summary>Asked once per pod before it starts: null admits it, otherwise the reason (Evicted) and message it fails with.</summary>
    public Func<V1Pod, (string Reason, string Message)?>? Admit { get; set; }

    /// <summary>Pods this node runs or is starting: not finished, not being deleted, not failed by the kubelet.</summary>
    public IReadOnlyList<V1Pod> ActivePods() =>
    [
        .. _workers.Values.Where(w => !w.Deleted && !w.Record.FailedPhase && w.Pod is { Metadata.DeletionTimestamp: null, Status.Phase: not ("Succeeded" or "Failed") })
            .Select(w => w.Pod!),
    ];

    /// <summary>Ends a pod as the eviction manager does: Failed/Evicted with <paramref name="message"/>, its containers killed at once.</summary>
    public void Evict(string uid, string message)
    {
        if (_workers.TryGetValue(uid, out var worker))
        {
            worker.Record.Fail("Evicted", message, byKubelet: true);
            worker.Wake.Writer.TryWrite(true);
        }
    }

    /// <summary>The pods of this node the API knows, by uid (for the streaming server and status).</summary>
    public V1Pod? Find(string ns, string name) => _informer.Lister.GetByKey($"{ns}/{name}");

    public async Task RunAsync(CancellationToken ct)
    {
        _informer.AddEventHandler(
            onAdd: p => Update(p, ct),
            onUpdate: (_, p) => Update(p, ct),
            onDelete: (p, _) =>
            {
                if (_workers.TryGetValue(p.Metadata.Uid, out var w))
                {
                    w.Deleted = true;
                    w.Wake.Writer.TryWrite(true);
                }
            });
        var informer = _informer.RunAsync(ct);
        await _informer.WaitForCacheSyncAsync(ct);
        await AdoptOrphansAsync(ct);
        var relist = RelistLoopAsync(ct);
        var refresh = RefreshVolumesLoopAsync(ct);
        try
        {
            await Task.WhenAll(informer, relist, refresh);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Update(V1Pod pod, CancellationToken ct)
    {
        var worker = _workers.GetOrAdd(pod.Metadata.Uid, uid => new Worker(uid));
        worker.Pod = pod;
        lock (worker)
        {
            worker.Loop ??= Task.Run(() => WorkerLoopAsync(worker, ct), CancellationToken.None);
        }
        worker.Wake.Writer.TryWrite(true);
    }

    private void Wake(string uid)
    {
        if (_workers.TryGetValue(uid, out var w))
        {
            w.Wake.Writer.TryWrite(true);
        }
    }

    /// <summary>Sandboxes whose pod the API no longer has (deleted while the agent was down): stop and remove them.</summary>
    private async Task AdoptOrphansAsync(CancellationToken ct)
    {
        var sandboxes = await _cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: ct);
        foreach (var uid in sandboxes.Items.Select(s => s.Metadata.Uid).Distinct())
        {
            if (_workers.ContainsKey(uid))
            {
                continue;
            }
            var worker = _workers.GetOrAdd(uid, u => new Worker(u));
            worker.Deleted = true;
            lock (worker)
            {
                worker.Loop ??= Task.Run(() => WorkerLoopAsync(worker, ct), CancellationToken.None);
            }
        }
    }

    private async Task WorkerLoopAsync(Worker worker, CancellationToken ct)
    {
        TimeSpan? next = TimeSpan.Zero;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(next ?? TimeSpan.FromSeconds(10));
                await worker.Wake.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Time to look again.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                var done = await SyncOnceAsync(worker, ct);
                if (done.Finished)
                {
                    _workers.TryRemove(worker.Uid, out _);
                    return;
                }
                next = done.Next;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogSyncFailed(_logger, worker.Pod?.Metadata.Name ?? worker.Uid, e.Message);
                next = TimeSpan.FromSeconds(2);
            }
        }
    }

    private async Task<(bool Finished, TimeSpan? Next)> SyncOnceAsync(Worker worker, CancellationToken ct)
    {
        var state = await PodRuntimeState.ReadAsync(_cri, worker.Uid, ct);
        var pod = worker.Pod;
        if (worker.Deleted || pod is null)
        {
            // Gone from the API: whatever still runs goes, with the grace period the pod asked for.
            var grace = state.Sandbox?.Annotations.TryGetValue(CriLabels.PodTerminationGracePeriod, out var g) == true && long.TryParse(g, out var s) ? s : 30;
            await _syncer.KillContainersAsync(null, state, pod?.Metadata.DeletionGracePeriodSeconds ?? grace, ct);
            await _syncer.CleanupAsync(worker.Uid, await PodRuntimeState.ReadAsync(_cri, worker.Uid, ct), ct);
            return (true, null);
        }
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            if (!worker.Record.Terminated)
            {
                await _syncer.KillContainersAsync(pod, state, pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30, ct);
                state = await PodRuntimeState.ReadAsync(_cri, worker.Uid, ct);
                await _syncer.StopSandboxesAsync(state, ct);
                worker.Record.Terminated = true;
                state = await PodRuntimeState.ReadAsync(_cri, worker.Uid, ct);
            }
            await WriteStatusAsync(pod, worker.Record, state, ct);
            // Upstream's status manager deletes the pod for good once its containers are stopped.
            await DeleteAsync(pod, ct);
            return (false, TimeSpan.FromSeconds(5));
        }
        if (pod.Status?.Phase is "Succeeded" or "Failed")
        {
            if (state.SandboxReady)
            {
                await _syncer.KillContainersAsync(pod, state, 0, ct);
                await _syncer.StopSandboxesAsync(state, ct);
            }
            return (false, null);
        }
        if (!worker.Record.Admitted)
        {
            worker.Record.Admitted = true;
            // Only a pod that has not started yet is judged: one found running (an agent restart) stays.
            if (state.IsEmpty && Admit?.Invoke(pod) is { } rejected)
            {
                worker.Record.Fail(rejected.Reason, rejected.Message);
                _events.Event(pod, EventTypes.Warning, rejected.Reason, rejected.Message);
            }
        }
        if (worker.Record.FailedPhase && worker.Record.FailedReason == "Evicted")
        {
            // Evicted or refused: nothing runs again; the status says why.
            await _syncer.KillContainersAsync(pod, state, 0, ct);
            await WriteStatusAsync(pod, worker.Record, await PodRuntimeState.ReadAsync(_cri, worker.Uid, ct), ct);
            return (false, null);
        }
        if (PastActiveDeadline(pod, worker.Record) is { } left && left <= TimeSpan.Zero)
        {
            // Upstream's activeDeadlineHandler: the pod fails and its containers are killed with its grace period.
            worker.Record.Fail("DeadlineExceeded", "Pod was active on the node longer than the specified deadline");
            _events.Event(pod, EventTypes.Normal, "DeadlineExceeded", "Pod was active on the node longer than the specified deadline");
            await _syncer.KillContainersAsync(pod, state, pod.Spec.TerminationGracePeriodSeconds ?? 30, ct);
            await WriteStatusAsync(pod, worker.Record, await PodRuntimeState.ReadAsync(_cri, worker.Uid, ct), ct);
            return (false, null);
        }
        var next = await _syncer.SyncAsync(pod, worker.Record, state, ct);
        if (PastActiveDeadline(pod, worker.Record) is { } untilDeadline && (next is null || untilDeadline < next))
        {
            next = untilDeadline;
        }
        state = await PodRuntimeState.ReadAsync(_cri, worker.Uid, ct);
        _probes.Sync(pod, state);
        await WriteStatusAsync(pod, worker.Record, state, ct);
        await _syncer.PruneExitedAsync(state, ct);
        if (worker.Record.FailedPhase)
        {
            await _syncer.KillContainersAsync(pod, state, 0, ct);
        }
        return (false, next);
    }

    /// <summary>Time left until spec.activeDeadlineSeconds (counted from status.startTime), or null without a deadline.</summary>
    private static TimeSpan? PastActiveDeadline(V1Pod pod, PodRecord record) =>
        pod.Spec.ActiveDeadlineSeconds is { } seconds
            ? (pod.Status?.StartTime ?? record.FirstSeen).ToUniversalTime().AddSeconds(seconds) - DateTime.UtcNow
            : null;

    private async Task WriteStatusAsync(V1Pod pod, PodRecord record, PodRuntimeState state, CancellationToken ct)
    {
        var status = PodStatusBuilder.Build(pod, state, record, _probes, _settings.NodeIp);
        TerminationMessages.Fill(status, state, _settings.Paths);
        var json = KubernetesJson.Serialize(status);
        if (json == record.LastWrittenStatus)
        {
            return;
        }
        try
        {
            await _client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(new V1Pod { Status = status }, V1Patch.PatchType.MergePatch),
                pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
            record.LastWrittenStatus = json;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    private async Task DeleteAsync(V1Pod pod, CancellationToken ct)
    {
        try
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict)
        {
        }
    }

    /// <summary>Upstream's generic PLEG: relist the runtime every second and wake the pods whose containers changed state.</summary>
    private async Task RelistLoopAsync(CancellationToken ct)
    {
        var last = new Dictionary<string, (string Uid, ContainerState State)>();
        using var timer = new PeriodicTimer(_settings.RelistPeriod);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                var list = await _cri.Runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: ct);
                var now = new Dictionary<string, (string Uid, ContainerState State)>();
                foreach (var c in list.Containers)
                {
                    if (c.Labels.TryGetValue(CriLabels.PodUid, out var uid))
                    {
                        now[c.Id] = (uid, c.State);
                        if (!last.TryGetValue(c.Id, out var before) || before.State != c.State)
                        {
                            Wake(uid);
                        }
                    }
                }
                foreach (var (id, (uid, _)) in last)
                {
                    if (!now.ContainsKey(id))
                    {
                        Wake(uid);
                    }
                }
                last = now;
            }
            catch (Grpc.Core.RpcException e)
            {
                // containerd restarting: the supervisor brings it back; wake everyone once it answers again.
                LogRelistFailed(_logger, e.Status.Detail);
                last.Clear();
            }
        }
    }

    /// <summary>configMap and secret volumes follow their objects (upstream syncs them about once a minute).</summary>
    private async Task RefreshVolumesLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_settings.VolumeRefreshPeriod);
        while (await timer.WaitForNextTickAsync(ct))
        {
            foreach (var worker in _workers.Values)
            {
                if (worker.Pod is { Metadata.DeletionTimestamp: null } pod && !worker.Deleted)
                {
                    try
                    {
                        await _resources.RefreshAsync(pod, ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogSyncFailed(_logger, pod.Metadata.Name, e.Message);
                    }
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _probes.Dispose();
        await Task.WhenAll(_workers.Values.Select(w => w.Loop ?? Task.CompletedTask)).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "syncing pod {Pod} failed: {Error}")]
    private static partial void LogSyncFailed(ILogger logger, string pod, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "relisting the runtime failed: {Error}")]
    private static partial void LogRelistFailed(ILogger logger, string error);
}
