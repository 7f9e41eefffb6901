using Coxswain.Client.Events;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Images;
using Coxswain.Kubelet.Node;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Pods;

/// <summary>What one pod uses of the resource under pressure, per container (bytes).</summary>
internal sealed record PodUsage(V1Pod Pod, IReadOnlyDictionary<string, long> Containers)
{
    public long Total => Containers.Values.Sum();
}

/// <summary>
/// Upstream's eviction manager (pkg/kubelet/eviction), for hard thresholds: every 10 s the node's signals are
/// compared with --eviction-hard. Under disk pressure unused images go first. Then, while a threshold is crossed,
/// one pod per round is evicted: the pods using more than they requested of the starved resource first, then the
/// lowest priority, then the largest use above the request; critical pods never. An evicted pod fails with reason
/// Evicted and upstream's message, its containers killed at once. While the node is under memory pressure new
/// BestEffort pods are refused, under disk pressure all new pods (but critical ones).
/// </summary>
internal sealed partial class EvictionManager(EvictionThresholds thresholds, IMachineReader machine, CriClient cri, PodWorkers workers,
    ImageGarbageCollector images, IEventRecorder events, ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private const int SystemCriticalPriority = 2_000_000_000;

    private volatile string[] _conditions = [];

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await SynchronizeAsync(ct);
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or IOException && !ct.IsCancellationRequested)
            {
                LogFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    /// <summary>Upstream's eviction admission: null admits the pod, otherwise why it is refused.</summary>
    public (string Reason, string Message)? Admit(V1Pod pod)
    {
        var conditions = _conditions;
        if (conditions.Length == 0 || IsCritical(pod))
        {
            return null;
        }
        if (conditions is ["MemoryPressure"] && QosClass(pod) != "BestEffort")
        {
            return null;
        }
        return ("Evicted", $"The node had condition: [{string.Join(" ", conditions)}]. ");
    }

    /// <summary>One round: notes the pressure conditions, reclaims images under disk pressure, evicts at most one pod.</summary>
    public async Task SynchronizeAsync(CancellationToken ct)
    {
        var facts = machine.Read();
        if (thresholds.DiskPressure(facts))
        {
            await images.FreeAsync(long.MaxValue, ct);
            facts = machine.Read();
        }
        var memory = thresholds.MemoryPressure(facts);
        var disk = thresholds.DiskPressure(facts);
        _conditions = [.. new[] { memory ? "MemoryPressure" : null, disk ? "DiskPressure" : null }.OfType<string>()];
        if (!memory && !disk)
        {
            return;
        }
        var resource = memory ? "memory" : "ephemeral-storage";
        var (threshold, available) = memory
            ? (thresholds.MemoryAvailable!.Text, facts.MemoryAvailableBytes ?? 0)
            : ((thresholds.NodefsAvailable ?? thresholds.ImagefsAvailable)?.Text ?? "", facts.Filesystem.AvailableBytes);
        var pods = workers.ActivePods().Where(p => !IsCritical(p)).ToList();
        if (pods.Count == 0)
        {
            LogNothingToEvict(logger, resource);
            return;
        }
        var usage = await UsageAsync(pods, memory, ct);
        var victim = Rank(usage, resource)[0];
        var message = Message(victim, resource, threshold, Threshold.FormatBytes(available));
        LogEvicting(logger, victim.Pod.Metadata.NamespaceProperty, victim.Pod.Metadata.Name, message);
        events.Event(victim.Pod, EventTypes.Warning, "Evicted", message);
        workers.Evict(victim.Pod.Metadata.Uid, message);
    }

    /// <summary>Eviction order: over its request first, then lower priority, then more use above the request.</summary>
    public static List<PodUsage> Rank(IEnumerable<PodUsage> pods, string resource) =>
    [
        .. pods.OrderByDescending(p => p.Total > Request(p.Pod, resource))
            .ThenBy(p => p.Pod.Spec.Priority ?? 0)
            .ThenByDescending(p => p.Total - Request(p.Pod, resource)),
    ];

    /// <summary>Upstream's evictionMessage: the resource, the threshold met, and each container using more than it asked for.</summary>
    public static string Message(PodUsage victim, string resource, string threshold, string available)
    {
        var message = $"The node was low on resource: {resource}. Threshold quantity: {threshold}, available: {available}. ";
        foreach (var container in victim.Pod.Spec.Containers)
        {
            var used = victim.Containers.GetValueOrDefault(container.Name);
            var request = container.Resources?.Requests?.TryGetValue(resource, out var q) == true ? q : null;
            if (used > (request is null ? 0 : (long)request.ToDecimal()))
            {
                message += $"Container {container.Name} was using {Threshold.FormatBytes(used)}, request is {request?.ToString() ?? "0"}, has larger consumption of {resource}. ";
            }
        }
        return message;
    }

    private static long Request(V1Pod pod, string resource) =>
        pod.Spec.Containers.Sum(c => c.Resources?.Requests?.TryGetValue(resource, out var q) == true ? (long)q.ToDecimal() : 0);

    /// <summary>Per pod and container: the memory working set, or for disk the writable layer.</summary>
    private async Task<List<PodUsage>> UsageAsync(List<V1Pod> pods, bool memory, CancellationToken ct)
    {
        var stats = (await cri.Runtime.ListContainerStatsAsync(new ListContainerStatsRequest(), cancellationToken: ct)).Stats;
        return
        [
            .. pods.Select(pod => new PodUsage(pod, stats
                .Where(s => s.Attributes.Labels.TryGetValue(CriLabels.PodUid, out var uid) && uid == pod.Metadata.Uid)
                .GroupBy(s => s.Attributes.Metadata.Name)
                .ToDictionary(g => g.Key, g => g.Sum(s => (long)((memory ? s.Memory?.WorkingSetBytes : s.WritableLayer?.UsedBytes)?.Value ?? 0))))),
        ];
    }

    private static bool IsCritical(V1Pod pod) =>
        pod.Spec.Priority >= SystemCriticalPriority
        || pod.Metadata.Annotations?.ContainsKey("kubernetes.io/config.mirror") == true;

    /// <summary>The API server's QoS class, or upstream's rule when absent: no requests nor limits at all is BestEffort.</summary>
    private static string QosClass(V1Pod pod) =>
        pod.Status?.QosClass ?? (pod.Spec.Containers.Concat(pod.Spec.InitContainers ?? [])
            .All(c => c.Resources?.Requests is not { Count: > 0 } && c.Resources?.Limits is not { Count: > 0 }) ? "BestEffort" : "Burstable");

    [LoggerMessage(Level = LogLevel.Warning, Message = "evicting pod {Namespace}/{Name}: {Message}")]
    private static partial void LogEvicting(ILogger logger, string @namespace, string name, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the node is low on {Resource} and has no pod to evict")]
    private static partial void LogNothingToEvict(ILogger logger, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "eviction check failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
