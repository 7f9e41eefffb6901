using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.ListWatch;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.NodeLifecycle;

/// <summary>
/// Upstream's node lifecycle controller, in small: marks a node whose Lease stopped being renewed Ready=Unknown,
/// keeps the not-ready/unreachable taints in step with the Ready condition, and evicts pods from NoExecute-tainted
/// nodes (at once, or after their tolerationSeconds). A periodic scan over informer caches: the work is per node
/// and per pod on tainted nodes, both cheap against the cache. Informers come from <paramref name="informers"/> when
/// given (shared with the other components of the process), else its own.
/// </summary>
public sealed partial class NodeLifecycleController(Kubernetes client, NodeLifecycleOptions options, ILogger logger, InformerFactory? informers = null)
{
    // Local time at which each node's lease was last seen to change; upstream compares observation times, not the
    // renewTime written by the kubelet, so clock skew between machines does not matter.
    private readonly Dictionary<string, (string? Version, DateTime SeenAt)> _leaseSeen = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken ct)
    {
        var factory = informers ?? new InformerFactory(client);
        var nodes = factory.For(ResourceTypes.Nodes);
        var leases = factory.For(ResourceTypes.Leases, "kube-node-lease");
        var pods = factory.For(ResourceTypes.Pods);
        PodIndexes.EnsureByNodeName(pods);
        factory.Start(ct);
        // A shared factory is stopped by its owner.
        var runs = new[] { informers == null ? factory.WhenStoppedAsync() : Task.CompletedTask };
        await nodes.WaitForCacheSyncAsync(ct);
        await leases.WaitForCacheSyncAsync(ct);
        await pods.WaitForCacheSyncAsync(ct);
        using var timer = new PeriodicTimer(options.MonitorPeriod);
        try
        {
            do
            {
                foreach (var node in nodes.Lister.List())
                {
                    try
                    {
                        await MonitorAsync(node, leases.Lister.Get("kube-node-lease", node.Metadata.Name), pods.Lister, ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogFailed(logger, node.Metadata.Name, e.Message);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        try
        {
            await Task.WhenAll(runs);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task MonitorAsync(V1Node node, V1Lease? lease, Lister<V1Pod> pods, CancellationToken ct)
    {
        var name = node.Metadata.Name;
        var now = DateTime.UtcNow;
        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        var version = lease?.Metadata.ResourceVersion ?? ready?.LastHeartbeatTime?.ToString("O");
        if (!_leaseSeen.TryGetValue(name, out var seen) || seen.Version != version)
        {
            _leaseSeen[name] = seen = (version, now);
        }
        if (now - seen.SeenAt > options.GracePeriod && ready?.Status != "Unknown")
        {
            await MarkUnknownAsync(node, now, ct);
            LogUnknown(logger, name);
            return; // the updated node comes back through the informer; taints follow on the next pass
        }

        var desired = Taints.ForNode(node).ToList();
        var current = node.Spec?.Taints ?? [];
        var owned = current.Where(Taints.Owned).ToList();
        if (owned.Count != desired.Count || owned.Any(t => !desired.Contains((t.Key, t.Effect))))
        {
            var taints = current.Where(t => !Taints.Owned(t)).ToList();
            taints.AddRange(desired.Select(d => owned.FirstOrDefault(t => t.Key == d.Key && t.Effect == d.Effect)
                ?? new V1Taint { Key = d.Key, Effect = d.Effect, TimeAdded = now }));
            var patch = new V1Node { Spec = new V1NodeSpec { Taints = taints } };
            await client.CoreV1.PatchNodeAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, cancellationToken: ct);
            return;
        }

        var noExecute = current.Where(t => t.Effect == "NoExecute").ToList();
        if (noExecute.Count == 0)
        {
            return;
        }
        foreach (var pod in pods.ByIndex(PodIndexes.ByNodeName, name))
        {
            if (pod.Metadata.DeletionTimestamp is null && Taints.EvictAt(pod, noExecute, now) is { } at && at <= now)
            {
                await EvictAsync(pod, ct);
            }
        }
    }

    private Task MarkUnknownAsync(V1Node node, DateTime now, CancellationToken ct)
    {
        // Upstream marks every condition the kubelet posts Unknown, keeping the last heartbeat time.
        var conditions = (node.Status?.Conditions ?? []).Select(c => new V1NodeCondition
        {
            Type = c.Type,
            Status = "Unknown",
            Reason = "NodeStatusUnknown",
            Message = "Kubelet stopped posting node status.",
            LastHeartbeatTime = c.LastHeartbeatTime,
            LastTransitionTime = c.Status == "Unknown" ? c.LastTransitionTime : now,
        }).ToList();
        if (!conditions.Any(c => c.Type == "Ready"))
        {
            conditions.Add(new V1NodeCondition { Type = "Ready", Status = "Unknown", Reason = "NodeStatusNeverUpdated", Message = "Kubelet never posted node status.", LastTransitionTime = now });
        }
        var patch = new V1Node { Status = new V1NodeStatus { Conditions = conditions } };
        return client.CoreV1.PatchNodeStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), node.Metadata.Name, cancellationToken: ct);
    }

    private async Task EvictAsync(V1Pod pod, CancellationToken ct)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
            LogEvicted(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Spec.NodeName);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node}: lease not renewed within the grace period, marking it Unknown")]
    private static partial void LogUnknown(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "evicting pod {Namespace}/{Pod} from node {Node} (NoExecute taint)")]
    private static partial void LogEvicted(ILogger logger, string @namespace, string pod, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "monitoring node {Node} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string node, string error);
}
