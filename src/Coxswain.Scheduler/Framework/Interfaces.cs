using k8s.Models;

namespace Coxswain.Scheduler.Framework;

/// <summary>Every plugin has a name (upstream's plugin name, used in profiles and messages).</summary>
public interface IPlugin
{
    string Name { get; }
}

/// <summary>Node names a PreFilter restricts the cycle to (null = all nodes).</summary>
public sealed record PreFilterResult(IReadOnlySet<string>? NodeNames);

public interface IPreFilterPlugin : IPlugin
{
    /// <summary>Computes per-pod state. Skip means the plugin's Filter is not run for this pod.</summary>
    Status PreFilter(CycleState state, V1Pod pod, Snapshot snapshot, out PreFilterResult? result);

    /// <summary>Incremental updates used by preemption when it removes or adds pods; null if none needed.</summary>
    IPreFilterExtensions? Extensions => null;
}

public interface IPreFilterExtensions
{
    void AddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo);
    void RemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo);
}

public interface IFilterPlugin : IPlugin
{
    Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo);
}

/// <summary>Called when no node passed filtering (e.g. preemption).</summary>
public interface IPostFilterPlugin : IPlugin
{
    PostFilterResult PostFilter(CycleState state, V1Pod pod, Snapshot snapshot, NodeToStatus filteredNodeStatuses);
}

public sealed record PostFilterResult(Status Status, string? NominatedNodeName, IReadOnlyList<V1Pod> Victims)
{
    public static PostFilterResult Failed(Status s) => new(s, null, []);
}

public interface IPreScorePlugin : IPlugin
{
    /// <summary>Skip means the plugin's Score is not run for this pod.</summary>
    Status PreScore(CycleState state, V1Pod pod, Snapshot snapshot, IReadOnlyList<NodeInfo> feasibleNodes);
}

public interface IScorePlugin : IPlugin
{
    long Score(CycleState state, V1Pod pod, NodeInfo nodeInfo);

    /// <summary>Rescales raw scores into [0, MaxNodeScore]; the default leaves them as they are.</summary>
    void NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores) { }
}

public struct NodeScore
{
    public NodeInfo Node;
    public long Score;
}

public interface IReservePlugin : IPlugin
{
    Status Reserve(CycleState state, V1Pod pod, string nodeName);
    void Unreserve(CycleState state, V1Pod pod, string nodeName);
}

/// <summary>Binds a pod to a node; the real binder (pods/binding) lives with the wiring.</summary>
public interface IBindPlugin : IPlugin
{
    Task<Status> BindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken);
}

public static class Scores
{
    public const long MaxNodeScore = 100;
    public const long MinNodeScore = 0;

    /// <summary>Upstream's helper.DefaultNormalizeScore.</summary>
    public static void DefaultNormalize(long maxPriority, bool reverse, Span<NodeScore> scores)
    {
        long maxCount = 0;
        foreach (ref var s in scores) if (s.Score > maxCount) maxCount = s.Score;
        if (maxCount == 0)
        {
            if (reverse) foreach (ref var s in scores) s.Score = maxPriority;
            return;
        }
        foreach (ref var s in scores)
        {
            var score = maxPriority * s.Score / maxCount;
            s.Score = reverse ? maxPriority - score : score;
        }
    }
}
