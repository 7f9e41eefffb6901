using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Plugins;

public enum ScoringStrategy
{
    LeastAllocated,
    MostAllocated,
}

/// <summary>
/// Filter: the pod's requests (init containers, sidecars and overhead included) fit in the node's
/// allocatable minus what its pods request, and the pod count stays within allocatable pods.
/// Score: LeastAllocated (default) or MostAllocated over cpu and memory, weight 1 each, using the
/// non-zero requests (100m/200Mi defaults) as upstream.
/// </summary>
public sealed class NodeResourcesFit(ScoringStrategy strategy = ScoringStrategy.LeastAllocated)
    : IPreFilterPlugin, IFilterPlugin, IScorePlugin
{
    public const string PluginName = "NodeResourcesFit";
    public string Name => PluginName;

    public Status PreFilter(CycleState state, V1Pod pod, Snapshot snapshot, out PreFilterResult? result)
    {
        result = null;
        return Status.Ok;
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var req = SchedulingAlgorithm.PodInfoOf(state, pod).Requests;
        var reasons = InsufficientResources(req, nodeInfo);
        return reasons == null ? Status.Ok : Status.Unschedulable(reasons.ToArray());
    }

    /// <summary>Upstream's fitsRequest; null when everything fits (the common case allocates nothing).</summary>
    public static List<string>? InsufficientResources(Resource req, NodeInfo n)
    {
        List<string>? reasons = null;
        var alloc = n.Allocatable;
        if (n.Pods.Count + 1 > alloc.AllowedPodNumber) (reasons ??= []).Add("Too many pods");
        if (req.MilliCpu == 0 && req.Memory == 0 && req.EphemeralStorage == 0 && req.Scalar is not { Count: > 0 })
            return reasons;
        if (req.MilliCpu > 0 && req.MilliCpu > alloc.MilliCpu - n.Requested.MilliCpu)
            (reasons ??= []).Add("Insufficient cpu");
        if (req.Memory > 0 && req.Memory > alloc.Memory - n.Requested.Memory)
            (reasons ??= []).Add("Insufficient memory");
        if (req.EphemeralStorage > 0 && req.EphemeralStorage > alloc.EphemeralStorage - n.Requested.EphemeralStorage)
            (reasons ??= []).Add("Insufficient ephemeral-storage");
        if (req.Scalar != null)
        {
            List<string>? scalar = null;
            foreach (var (name, v) in req.Scalar)
            {
                if (v == 0) continue;
                if (v > alloc.Get(name) - n.Requested.Get(name)) (scalar ??= []).Add("Insufficient " + name);
            }
            // Go ranges maps in random order; sort so the message is stable.
            if (scalar != null)
            {
                scalar.Sort(StringComparer.Ordinal);
                (reasons ??= []).AddRange(scalar);
            }
        }
        return reasons;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var pi = SchedulingAlgorithm.PodInfoOf(state, pod);
        var cpuAlloc = nodeInfo.Allocatable.MilliCpu;
        var memAlloc = nodeInfo.Allocatable.Memory;
        var cpuReq = nodeInfo.NonZeroMilliCpu + pi.NonZeroMilliCpu;
        var memReq = nodeInfo.NonZeroMemory + pi.NonZeroMemory;
        long score = 0, weightSum = 0;
        if (cpuAlloc != 0)
        {
            score += ResourceScore(cpuReq, cpuAlloc);
            weightSum++;
        }
        if (memAlloc != 0)
        {
            score += ResourceScore(memReq, memAlloc);
            weightSum++;
        }
        return weightSum == 0 ? 0 : score / weightSum;
    }

    private long ResourceScore(long requested, long capacity)
    {
        if (capacity == 0 || requested > capacity) return 0;
        return strategy == ScoringStrategy.LeastAllocated
            ? (capacity - requested) * Scores.MaxNodeScore / capacity
            : requested * Scores.MaxNodeScore / capacity;
    }
}

/// <summary>Favors nodes whose cpu and memory utilization (with the pod, exact requests) are closest to each other.</summary>
public sealed class NodeResourcesBalancedAllocation : IScorePlugin
{
    public const string PluginName = "NodeResourcesBalancedAllocation";
    public string Name => PluginName;

    public long Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var pi = SchedulingAlgorithm.PodInfoOf(state, pod);
        Span<double> fractions = stackalloc double[2];
        var count = 0;
        Add(ref count, fractions, nodeInfo.Requested.MilliCpu + pi.Requests.MilliCpu, nodeInfo.Allocatable.MilliCpu);
        Add(ref count, fractions, nodeInfo.Requested.Memory + pi.Requests.Memory, nodeInfo.Allocatable.Memory);
        var std = count == 2 ? Math.Abs((fractions[0] - fractions[1]) / 2) : 0;
        return (long)((1 - std) * Scores.MaxNodeScore);
    }

    private static void Add(ref int count, Span<double> fractions, long requested, long allocatable)
    {
        if (allocatable == 0) return;
        var f = (double)requested / allocatable;
        fractions[count++] = f > 1 ? 1 : f;
    }
}
