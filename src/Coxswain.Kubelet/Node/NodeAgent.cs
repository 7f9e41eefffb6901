using System.Net;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Client.ListWatch;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Node;

/// <summary>
/// The Node side of one real kubelet: registers the Node (or takes the existing one after a restart, as upstream's
/// tryRegisterWithAPIServer), keeps its status (checked every StatusUpdateInterval, every second until Ready, and on
/// <see cref="RequestStatusUpdate"/>; posted when it changed or when StatusReportInterval passed), renews its Lease,
/// and once the control plane has given the Node a podCIDR writes the CNI config for it.
/// </summary>
public sealed partial class NodeAgent
{
    private readonly Kubernetes _client;
    private readonly INodeRuntime _runtime;
    private readonly IMachineReader _machine;
    private readonly NodeAgentOptions _options;
    private readonly ILogger _logger;
    private readonly IEventRecorder? _events;
    private readonly NodeLease _lease;
    private readonly SemaphoreSlim _poke = new(0, 1);
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _podCidr = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Last good runtime answer: its version and images stay on the Node while the runtime is down.
    private RuntimeFacts? _runtimeFacts;
    private DateTime _lastPosted = DateTime.MinValue;
    private bool _ready;
    private string? _cidrWritten;
    private readonly Lock _observing = new();

    public NodeAgent(Kubernetes client, INodeRuntime runtime, IMachineReader machine, NodeAgentOptions options, ILogger logger, IEventRecorder? events = null)
    {
        _client = client;
        _runtime = runtime;
        _machine = machine;
        _options = options;
        _logger = logger;
        _events = events;
        NodeName = options.NodeName ?? machine.Read().Hostname;
        _lease = new NodeLease(client, NodeName, options.LeaseDurationSeconds);
    }

    public string NodeName { get; }

    /// <summary>Completes once the Node exists and carries this kubelet's labels.</summary>
    public Task Registered => _registered.Task;

    /// <summary>The Node's spec.podCIDR, once assigned (and the CNI config written, when its directories are set).</summary>
    public Task<string> PodCidr => _podCidr.Task;

    /// <summary>Checks (and posts if changed) node status now instead of at the next interval.</summary>
    public void RequestStatusUpdate()
    {
        try
        {
            _poke.Release();
        }
        catch (SemaphoreFullException)
        {
            // a check is already pending
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        await RegisterWithRetryAsync(ct);
        // Its own Node, watched as upstream's kubelet does (field selector on the name): the podCIDR is seen as soon
        // as the control plane assigns it, and a deletion triggers registration at once.
        var self = new SharedInformer<V1Node>(new ListWatcher<V1Node>(_client, ResourceTypes.Nodes, fieldSelector: $"metadata.name={NodeName}"));
        self.AddEventHandler(onAdd: Observe, onUpdate: (_, n) => Observe(n), onDelete: (_, _) => RequestStatusUpdate());
        await Task.WhenAll(self.RunAsync(ct), StatusLoopAsync(ct), LeaseLoopAsync(ct));
    }

    private async Task RegisterWithRetryAsync(CancellationToken ct)
    {
        // Upstream's backoff: 100 ms doubling to 7 s, until the API server takes the Node.
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await RegisterAsync(ct);
                _registered.TrySetResult();
                LogRegistered(_logger, NodeName);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRegisterFailed(_logger, NodeName, e.Message);
            }
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(7).Ticks));
        }
    }

    /// <summary>Creates the Node; if it exists (a restart), sets the labels the kubelet owns and keeps all others.</summary>
    internal async Task RegisterAsync(CancellationToken ct)
    {
        var machine = _machine.Read();
        await ReadRuntimeAsync(ct);
        var node = NodeStatusBuilder.InitialNode(NodeName, _options, machine, _runtimeFacts, _runtimeFacts is null, DateTime.UtcNow);
        try
        {
            var created = await _client.CoreV1.CreateNodeAsync(node, cancellationToken: ct);
            _lease.NodeUid = created.Metadata.Uid;
            RecordTransitions(new V1Node(), node.Status);
            _lastPosted = DateTime.UtcNow;
            Observe(created);
            return;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
        var existing = await _client.CoreV1.ReadNodeAsync(NodeName, cancellationToken: ct);
        _lease.NodeUid = existing.Metadata.Uid;
        var labels = existing.Metadata.Labels ?? new Dictionary<string, string>();
        var wrong = NodeStatusBuilder.DefaultLabels(NodeName, machine)
            .Where(kv => !labels.TryGetValue(kv.Key, out var v) || v != kv.Value)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        if (wrong.Count > 0)
        {
            var patch = new V1Node { Metadata = new V1ObjectMeta { Labels = wrong } };
            existing = await _client.CoreV1.PatchNodeAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), NodeName, cancellationToken: ct);
        }
        Observe(existing);
    }

    private async Task StatusLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SyncStatusAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogStatusFailed(_logger, NodeName, e.Message);
            }
            var wait = _ready ? _options.StatusUpdateInterval : _options.NotReadyStatusInterval;
            try
            {
                await _poke.WaitAsync(wait, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task LeaseLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.LeaseRenewInterval);
        do
        {
            try
            {
                await _lease.RenewAsync(DateTime.UtcNow, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogLeaseFailed(_logger, NodeName, e.Message);
            }
        }
        while (await Tick(timer, ct));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads the Node, computes the status from fresh machine and runtime facts, and posts it when anything but
    /// the heartbeat times differs from what the Node says (also after another component changed it, e.g. the
    /// node lifecycle controller marking it Unknown), or when the report interval has passed.
    /// </summary>
    internal async Task SyncStatusAsync(CancellationToken ct)
    {
        V1Node current;
        try
        {
            current = await _client.CoreV1.ReadNodeAsync(NodeName, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Deleted under us: register again rather than heartbeat for a Node that is gone.
            LogNodeGone(_logger, NodeName);
            await RegisterAsync(ct);
            return;
        }
        Observe(current);
        var runtimeDown = !await ReadRuntimeAsync(ct);
        var now = DateTime.UtcNow;
        var status = NodeStatusBuilder.Status(NodeName, _options, _machine.Read(), _runtimeFacts, runtimeDown, current.Status?.Conditions, now);
        RecordTransitions(current, status);
        _ready = status.Conditions.Any(c => c.Type == NodeConditions.Ready && c.Status == "True");
        if (Comparable(status) == Comparable(current.Status) && now - _lastPosted < _options.StatusReportInterval)
        {
            return;
        }
        var patch = new V1Node { Status = status };
        Observe(await _client.CoreV1.PatchNodeStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), NodeName, cancellationToken: ct));
        _lastPosted = now;
    }

    /// <returns>false when the runtime did not answer (it is down); the last answer is kept.</returns>
    private async Task<bool> ReadRuntimeAsync(CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            _runtimeFacts = await _runtime.ReadAsync(timeout.Token);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogRuntimeDown(_logger, e.Message);
            return false;
        }
    }

    /// <summary>
    /// Picks up what the control plane set on the Node: its podCIDR, written out as the CNI config (again if it
    /// changes, as when the Node was deleted and registered anew; <see cref="PodCidr"/> keeps the first one).
    /// </summary>
    private void Observe(V1Node node)
    {
        var cidr = node.Spec?.PodCIDR;
        lock (_observing)
        {
            if (string.IsNullOrEmpty(cidr) || cidr == _cidrWritten)
            {
                return;
            }
            if (_options.CniConfDir is { } confDir)
            {
                var path = CniConfig.Write(confDir, _options.CniIpamDir ?? Path.Combine(confDir, "ipam"), cidr);
                LogCniWritten(_logger, cidr, path);
                if (_options.MasqueradePodCidr)
                {
                    PodMasquerade.Ensure(cidr, _logger);
                }
            }
            _cidrWritten = cidr;
        }
        _podCidr.TrySetResult(cidr);
        RequestStatusUpdate(); // the runtime reports the network ready shortly
    }

    /// <summary>Fields the kubelet sets, heartbeat times left out: equal means nothing worth posting changed.</summary>
    private static string Comparable(V1NodeStatus? status)
    {
        if (status is null)
        {
            return "";
        }
        var copy = new V1NodeStatus
        {
            Capacity = status.Capacity,
            Allocatable = status.Allocatable,
            Addresses = status.Addresses,
            DaemonEndpoints = status.DaemonEndpoints,
            NodeInfo = status.NodeInfo,
            Images = status.Images,
            Conditions = status.Conditions?.Select(c => new V1NodeCondition
            {
                Type = c.Type,
                Status = c.Status,
                Reason = c.Reason,
                Message = c.Message,
                LastTransitionTime = c.LastTransitionTime is { } t ? new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc) : null,
            }).ToList(),
        };
        return KubernetesJson.Serialize(copy);
    }

    /// <summary>Upstream's node status events ("Node x status is now: NodeReady") when a condition flips.</summary>
    private void RecordTransitions(V1Node current, V1NodeStatus status)
    {
        if (_events is null)
        {
            return;
        }
        var before = (current.Status?.Conditions ?? []).Where(c => c.Type is not null).GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.First().Status);
        foreach (var c in status.Conditions.Where(c => before.GetValueOrDefault(c.Type) != c.Status))
        {
            var reason = c.Type == NodeConditions.Ready
                ? c.Status == "True" ? "NodeReady" : "NodeNotReady"
                : "Node" + c.Reason["Kubelet".Length..];
            var reference = new V1Node { ApiVersion = "v1", Kind = "Node", Metadata = new V1ObjectMeta { Name = NodeName, Uid = NodeName } };
            _events.Event(reference, EventTypes.Normal, reason, $"Node {NodeName} status is now: {reason}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node} registered")]
    private static partial void LogRegistered(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "registering node {Node} failed, will retry: {Error}")]
    private static partial void LogRegisterFailed(ILogger logger, string node, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node} was deleted; registering it again")]
    private static partial void LogNodeGone(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "updating status of node {Node} failed: {Error}")]
    private static partial void LogStatusFailed(ILogger logger, string node, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "renewing the lease of node {Node} failed: {Error}")]
    private static partial void LogLeaseFailed(ILogger logger, string node, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container runtime did not answer: {Error}")]
    private static partial void LogRuntimeDown(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "pod CIDR {Cidr}: CNI config written to {Path}")]
    private static partial void LogCniWritten(ILogger logger, string cidr, string path);
}
