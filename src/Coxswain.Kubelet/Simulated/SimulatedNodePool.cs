using System.Collections.Concurrent;
using Coxswain.Kubelet.Node;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Simulated;

/// <summary>
/// Many fake kubelets in one process (like KWOK): registers Nodes, renews their Leases, posts node status and
/// drives the pods bound to them through a pod lifecycle without running anything. Scales by sharing: one pod
/// informer for all nodes, one timer loop that renews a slice of the leases each second, a few pod workers.
/// </summary>
public sealed partial class SimulatedNodePool(Kubernetes client, SimulatedNodeOptions options, ILogger logger)
{
    private readonly ConcurrentDictionary<string, SimulatedNode> _nodes = new(StringComparer.Ordinal);
    private readonly SimulatedPods _pods = new(client, options, logger);

    /// <summary>Names of the nodes this pool owns, once registered.</summary>
    public IReadOnlyCollection<string> NodeNames => (IReadOnlyCollection<string>)_nodes.Keys;

    /// <summary>Completes once every node is registered with a lease (the pool keeps running after).</summary>
    public Task Registered => _registered.Task;
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RunAsync(CancellationToken ct)
    {
        var nodes = Enumerable.Range(0, options.Count).Select(i => new SimulatedNode(options.NamePrefix + i, i)).ToList();
        await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = ct },
            async (node, token) =>
            {
                await RegisterAsync(node, token);
                _nodes[node.Name] = node;
            });
        LogRegistered(logger, nodes.Count);
        _registered.TrySetResult();

        var podsTask = _pods.RunAsync(name => _nodes.GetValueOrDefault(name), ct);
        var heartbeat = HeartbeatLoopAsync(nodes, ct);
        await Task.WhenAll(podsTask, heartbeat);
    }

    private async Task RegisterAsync(SimulatedNode node, CancellationToken ct)
    {
        var desired = SimulatedNodeObjects.Node(node, options, DateTime.UtcNow);
        try
        {
            node.Uid = (await client.CoreV1.CreateNodeAsync(desired, cancellationToken: ct)).Metadata.Uid;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Re-registering after a restart: the kubelet takes the existing object and posts fresh status.
        }
        await PostStatusAsync(node, ct);
        await RenewLeaseAsync(node, ct);
    }

    /// <summary>
    /// One loop for all nodes: each second it renews the leases of the nodes in that second's slice, so renewals
    /// are spread evenly over the interval and at most MaxConcurrency requests are in flight.
    /// </summary>
    private async Task HeartbeatLoopAsync(List<SimulatedNode> nodes, CancellationToken ct)
    {
        var slices = Math.Max(1, (int)options.LeaseRenewInterval.TotalSeconds);
        var statusEvery = Math.Max(1, (int)(options.StatusReportInterval / options.LeaseRenewInterval));
        using var timer = new PeriodicTimer(options.LeaseRenewInterval / slices);
        long tick = 0;
        while (await WaitAsync(timer, ct))
        {
            tick++;
            var slice = (int)(tick % slices);
            var round = tick / slices;
            var due = nodes.Where(n => n.Index % slices == slice);
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = ct },
                async (node, token) =>
                {
                    try
                    {
                        await RenewLeaseAsync(node, token);
                        if (round % statusEvery == 0)
                        {
                            await PostStatusAsync(node, token);
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogHeartbeatFailed(logger, node.Name, e.Message);
                    }
                });
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
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

    private Task PostStatusAsync(SimulatedNode node, CancellationToken ct)
    {
        // A merge patch replaces the conditions list whole, which is what the kubelet means to post.
        var patch = new V1Node { Status = SimulatedNodeObjects.Status(node, options, DateTime.UtcNow) };
        return client.CoreV1.PatchNodeStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), node.Name, cancellationToken: ct);
    }

    private Task RenewLeaseAsync(SimulatedNode node, CancellationToken ct)
    {
        node.Lease ??= new NodeLease(client, node.Name, options.LeaseDurationSeconds);
        node.Lease.NodeUid ??= node.Uid;
        return node.Lease.RenewAsync(DateTime.UtcNow, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "registered {Count} simulated nodes")]
    private static partial void LogRegistered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "heartbeat of node {Node} failed: {Error}")]
    private static partial void LogHeartbeatFailed(ILogger logger, string node, string error);
}
