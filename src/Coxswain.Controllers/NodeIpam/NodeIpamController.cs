using System.Net;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.NodeIpam;

/// <summary>
/// Upstream's node IPAM controller with the range allocator (pkg/controller/nodeipam): every Node without
/// spec.podCIDR gets the next free subnet of the cluster CIDR. Subnets already on Nodes are marked taken before the
/// first allocation (so nodes that chose their own, like simulated ones, never collide with allocated ones);
/// a deleted Node's subnet is freed. When the range is exhausted the Node gets a CIDRNotAvailable event and is
/// retried (and looked at again as soon as a subnet is freed).
/// </summary>
public sealed partial class NodeIpamController : QueueController
{
    private readonly Kubernetes _client;
    private readonly SharedInformer<V1Node> _nodes;
    private readonly IEventRecorder _events;
    private readonly CidrSet _cidrs;
    private readonly Lock _lock = new();

    // What this controller believes each Node holds, by name: set at allocation, before the informer sees the
    // patch, so a stale cache never gets a second subnet for the same Node.
    private readonly Dictionary<string, (string? Uid, string Cidr)> _held = new(StringComparer.Ordinal);

    public NodeIpamController(ControllerManager manager, NodeIpamOptions options, IEventRecorder? events = null)
        : base("nodeipam", manager.Loggers.CreateLogger("node-ipam-controller"))
    {
        _client = (Kubernetes)manager.Client;
        _cidrs = new CidrSet(options.ClusterCidr, options.NodeCidrMaskSize);
        _events = events ?? manager.Recorder("cidrAllocator");
        _nodes = manager.Informers.For(ResourceTypes.Nodes);
        _nodes.AddEventHandler(
            onAdd: n => Enqueue(n.Metadata.Name),
            onUpdate: (_, n) => Enqueue(n.Metadata.Name),
            onDelete: (n, _) => Release(n));
    }

    /// <summary>How many node subnets are taken, for tests and logs.</summary>
    public int Allocated
    {
        get
        {
            lock (_lock)
            {
                return _cidrs.Allocated;
            }
        }
    }

    /// <summary>Waits for the Node cache, then marks every subnet already on a Node as taken (upstream does this at start).</summary>
    protected override async Task<bool> WaitForCacheSyncAsync(CancellationToken ct)
    {
        if (!await _nodes.WaitForCacheSyncAsync(ct))
        {
            return false;
        }
        OccupyExisting();
        return true;
    }

    /// <summary>Marks the subnets of every Node in the cache as taken.</summary>
    internal void OccupyExisting()
    {
        foreach (var node in _nodes.Indexer.List())
        {
            Occupy(node);
        }
    }

    public override async Task SyncAsync(string key, CancellationToken ct)
    {
        var node = _nodes.Indexer.GetByKey(key);
        if (node is null || Occupy(node))
        {
            return;
        }
        string cidr;
        lock (_lock)
        {
            if (_held.TryGetValue(key, out var held) && held.Uid == node.Metadata.Uid)
            {
                cidr = held.Cidr; // patched already; the cache has not caught up (or the patch failed and is retried)
            }
            else if (_cidrs.AllocateNext() is { } next)
            {
                cidr = next;
                _held[key] = (node.Metadata.Uid, cidr);
            }
            else
            {
                _events.Event(node, EventTypes.Normal, "CIDRNotAvailable", $"Node {key} status is now: CIDRNotAvailable");
                throw new InvalidOperationException($"no free pod CIDR left for node {key}: all {_cidrs.Capacity} subnets are taken");
            }
        }
        try
        {
            var patch = new V1Node { Spec = new V1NodeSpec { PodCIDR = cidr, PodCIDRs = [cidr] } };
            await _client.CoreV1.PatchNodeAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), key, cancellationToken: ct);
            LogAssigned(Logger, cidr, key);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            Forget(key, cidr); // gone meanwhile; the delete event may have come before the allocation
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Forget(key, cidr);
            await MarkNetworkUnavailableAsync(key, ct);
            throw;
        }
    }

    /// <summary>Takes a Node's own CIDRs; true when it has any (nothing to allocate).</summary>
    private bool Occupy(V1Node node)
    {
        var cidrs = Cidrs(node);
        if (cidrs.Count == 0)
        {
            return false;
        }
        lock (_lock)
        {
            foreach (var cidr in cidrs)
            {
                if (_cidrs.Occupy(cidr))
                {
                    _held[node.Metadata.Name] = (node.Metadata.Uid, cidr);
                }
            }
        }
        return true;
    }

    /// <summary>Frees a deleted Node's subnets, then gives Nodes still waiting for one another chance at once.</summary>
    internal void Release(V1Node node)
    {
        lock (_lock)
        {
            foreach (var cidr in Cidrs(node))
            {
                _cidrs.Release(cidr);
            }
            if (_held.Remove(node.Metadata.Name, out var held))
            {
                _cidrs.Release(held.Cidr);
            }
        }
        foreach (var waiting in _nodes.Indexer.List().Where(n => Cidrs(n).Count == 0))
        {
            Enqueue(waiting.Metadata.Name);
        }
    }

    private void Forget(string key, string cidr)
    {
        lock (_lock)
        {
            _cidrs.Release(cidr);
            _held.Remove(key);
        }
    }

    private static List<string> Cidrs(V1Node node)
    {
        var list = node.Spec?.PodCIDRs?.Where(c => !string.IsNullOrEmpty(c)).ToList() ?? [];
        if (list.Count == 0 && !string.IsNullOrEmpty(node.Spec?.PodCIDR))
        {
            list.Add(node.Spec.PodCIDR);
        }
        return list;
    }

    /// <summary>Upstream's signal that assigning failed: NetworkUnavailable=True, reason CIDRAssignmentFailed. Best effort.</summary>
    private async Task MarkNetworkUnavailableAsync(string key, CancellationToken ct)
    {
        var node = _nodes.Indexer.GetByKey(key);
        if (node is null)
        {
            return;
        }
        var now = DateTime.UtcNow;
        var conditions = (node.Status?.Conditions ?? []).Where(c => c.Type != "NetworkUnavailable").ToList();
        conditions.Add(new V1NodeCondition
        {
            Type = "NetworkUnavailable",
            Status = "True",
            Reason = "CIDRAssignmentFailed",
            Message = "Failed to assign cidr to node",
            LastTransitionTime = now,
            LastHeartbeatTime = now,
        });
        try
        {
            var patch = new V1Node { Status = new V1NodeStatus { Conditions = conditions } };
            await _client.CoreV1.PatchNodeStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), key, cancellationToken: ct);
        }
        catch (HttpOperationException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "assigned pod CIDR {Cidr} to node {Node}")]
    private static partial void LogAssigned(ILogger logger, string cidr, string node);
}
