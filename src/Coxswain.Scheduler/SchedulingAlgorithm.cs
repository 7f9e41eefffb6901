using System.Buffers;
using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler;

/// <summary>Outcome of one scheduling cycle.</summary>
public sealed class ScheduleResult
{
    /// <summary>The chosen node; null when the pod did not fit (see <see cref="FitError"/>).</summary>
    public string? SuggestedHost { get; init; }
    public int EvaluatedNodes { get; init; }
    public int FeasibleNodes { get; init; }
    /// <summary>Set when no node fits; <c>FitError.Message</c> is the PodScheduled condition message.</summary>
    public FitError? FitError { get; init; }
    /// <summary>Set when no node fits and a PostFilter (preemption) found a node: nominate it, delete the victims.</summary>
    public PostFilterResult? PostFilter { get; init; }
    /// <summary>A non-scheduling failure (a plugin returned Error).</summary>
    public Status? Error { get; init; }
    /// <summary>The pod's derived data, to pass to <see cref="Snapshot.AddPod(PodInfo, string?)"/> when assuming it.</summary>
    public required PodInfo PodInfo { get; init; }
    public required CycleState State { get; init; }
}

/// <summary>
/// Upstream's schedulePod for one pod against one snapshot: PreFilter, Filter over a sample of the
/// nodes, PostFilter on failure, PreScore/Score/NormalizeScore with weights, highest score with a
/// random tie-break, then Reserve. Not thread-safe: one instance per scheduling loop.
/// </summary>
public sealed class SchedulingAlgorithm(Profile profile, Random? random = null)
{
    internal const int MinFeasibleNodesToFind = 100;
    internal const int MinFeasibleNodesPercentageToFind = 5;

    private readonly Random _random = random ?? new Random();
    private int _nextStartNodeIndex;

    public Profile Profile { get; } = profile;

    public ScheduleResult Schedule(V1Pod pod, Snapshot snapshot)
    {
        var podInfo = new PodInfo(pod);
        var state = new CycleState { PodInfo = podInfo };
        var all = snapshot.Nodes;
        if (all.Count == 0)
            return Failed(pod, podInfo, state, snapshot, new Diagnosis(), 0);

        var diagnosis = new Diagnosis();
        var pre = RunPreFilter(state, pod, snapshot, out var allowed, out var pluginsWithNodes);
        if (pre.Code == Code.Error) return new ScheduleResult { Error = pre, PodInfo = podInfo, State = state };
        if (!pre.IsSuccess)
        {
            // A PreFilter rejection applies to every node.
            diagnosis.NodeToStatus.AbsentNodesStatus = pre;
            diagnosis.PreFilterMsg = pre.Message;
            if (pre.Plugin != null) diagnosis.UnschedulablePlugins.Add(pre.Plugin);
            return Failed(pod, podInfo, state, snapshot, diagnosis, all.Count);
        }

        var feasible = FindFeasible(state, pod, snapshot, allowed, pluginsWithNodes, diagnosis, out var error);
        if (error != null) return new ScheduleResult { Error = error, PodInfo = podInfo, State = state };
        if (feasible.Count == 0) return Failed(pod, podInfo, state, snapshot, diagnosis, all.Count);

        string host;
        if (feasible.Count == 1)
        {
            host = feasible[0].Name;
        }
        else
        {
            var s = PrioritizeAndSelect(state, pod, snapshot, feasible, out error);
            if (error != null) return new ScheduleResult { Error = error, PodInfo = podInfo, State = state };
            host = s!;
        }

        foreach (var r in Profile.Reserve)
        {
            var st = r.Reserve(state, pod, host);
            if (!st.IsSuccess)
            {
                foreach (var u in Profile.Reserve) u.Unreserve(state, pod, host);
                return new ScheduleResult { Error = st, PodInfo = podInfo, State = state };
            }
        }
        return new ScheduleResult
        {
            SuggestedHost = host,
            EvaluatedNodes = feasible.Count + diagnosis.NodeToStatus.Count,
            FeasibleNodes = feasible.Count,
            PodInfo = podInfo,
            State = state,
        };
    }

    /// <summary>The cycle's PodInfo for the pod being scheduled (plugins read it instead of recomputing).</summary>
    public static PodInfo PodInfoOf(CycleState state, V1Pod pod) => state.PodInfo ??= new PodInfo(pod);

    /// <summary>upstream's numFeasibleNodesToFind.</summary>
    public static int NumFeasibleNodesToFind(int percentage, int numAllNodes)
    {
        if (numAllNodes < MinFeasibleNodesToFind) return numAllNodes;
        if (percentage == 0)
        {
            percentage = 50 - numAllNodes / 125;
            if (percentage < MinFeasibleNodesPercentageToFind) percentage = MinFeasibleNodesPercentageToFind;
        }
        var n = (int)((long)numAllNodes * percentage / 100);
        return n < MinFeasibleNodesToFind ? MinFeasibleNodesToFind : n;
    }

    internal Status RunPreFilter(CycleState state, V1Pod pod, Snapshot snapshot, out IReadOnlySet<string>? allowed,
        out List<string>? pluginsWithNodes)
    {
        allowed = null;
        pluginsWithNodes = null;
        foreach (var p in Profile.PreFilter)
        {
            var s = p.PreFilter(state, pod, snapshot, out var r);
            if (s.IsSkip)
            {
                state.SkipFilterPlugins.Add(p.Name);
                continue;
            }
            if (!s.IsSuccess)
            {
                s.Plugin = p.Name;
                return s;
            }
            if (r?.NodeNames is { } names)
            {
                (pluginsWithNodes ??= []).Add(p.Name);
                allowed = allowed == null ? names : new HashSet<string>(allowed.Where(names.Contains), StringComparer.Ordinal);
                if (allowed.Count == 0)
                {
                    var msg = pluginsWithNodes.Count == 1
                        ? $"node(s) didn't satisfy plugin {pluginsWithNodes[0]}"
                        : $"node(s) didn't satisfy plugin(s) [{string.Join(" ", pluginsWithNodes)}] simultaneously";
                    return new Status(Code.UnschedulableAndUnresolvable, msg) { Plugin = p.Name };
                }
            }
        }
        return Status.Ok;
    }

    /// <summary>Runs the Filter plugins in order, stopping at the first rejection, as upstream does.</summary>
    public Status RunFilters(CycleState state, V1Pod pod, NodeInfo node) => RunFilters(Profile, state, pod, node);

    internal static Status RunFilters(Profile profile, CycleState state, V1Pod pod, NodeInfo node)
    {
        foreach (var f in state.FiltersToRun(profile))
        {
            var s = f.Filter(state, pod, node);
            if (!s.IsSuccess)
            {
                s.Plugin = f.Name;
                return s;
            }
        }
        return Status.Ok;
    }

    private List<NodeInfo> FindFeasible(CycleState state, V1Pod pod, Snapshot snapshot, IReadOnlySet<string>? allowed,
        List<string>? pluginsWithNodes, Diagnosis diagnosis, out Status? error)
    {
        error = null;
        // A nominated node (from an earlier preemption) is tried first.
        var nominated = pod.Status?.NominatedNodeName;
        if (!string.IsNullOrEmpty(nominated) && snapshot.Get(nominated) is { } nn && (allowed == null || allowed.Contains(nominated)))
        {
            if (RunFilters(state, pod, nn).IsSuccess) return [nn];
        }

        IReadOnlyList<NodeInfo> nodes = snapshot.Nodes;
        if (allowed != null)
        {
            // Only the nodes a PreFilter named are evaluated; the rest are unresolvable for this pod.
            var list = new List<NodeInfo>(allowed.Count);
            foreach (var name in allowed)
                if (snapshot.Get(name) is { } ni) list.Add(ni);
            nodes = list;
            diagnosis.NodeToStatus.AbsentNodesStatus = Status.Unresolvable(
                $"node(s) didn't satisfy plugin(s) [{string.Join(" ", pluginsWithNodes!.Distinct().Order(StringComparer.Ordinal))}]");
        }

        var numAll = nodes.Count;
        var toFind = NumFeasibleNodesToFind(Profile.PercentageOfNodesToScore, numAll);
        var feasible = new List<NodeInfo>(Math.Min(toFind, numAll));
        var processed = 0;
        var start = numAll == 0 ? 0 : _nextStartNodeIndex % numAll;
        for (var i = 0; i < numAll && feasible.Count < toFind; i++)
        {
            var node = nodes[(start + i) % numAll];
            processed++;
            var s = RunFilters(state, pod, node);
            if (s.IsSuccess) feasible.Add(node);
            else if (s.Code == Code.Error)
            {
                error = s;
                return feasible;
            }
            else
            {
                diagnosis.NodeToStatus.Set(node.Name, s);
                if (s.Plugin != null) diagnosis.UnschedulablePlugins.Add(s.Plugin);
            }
        }
        // The next cycle starts where this one stopped so every node gets its turn.
        _nextStartNodeIndex = numAll == 0 ? 0 : (start + processed) % numAll;
        return feasible;
    }

    private string? PrioritizeAndSelect(CycleState state, V1Pod pod, Snapshot snapshot, List<NodeInfo> feasible, out Status? error)
    {
        error = null;
        foreach (var p in Profile.PreScore)
        {
            var s = p.PreScore(state, pod, snapshot, feasible);
            if (s.IsSkip) state.SkipScorePlugins.Add(p.Name);
            else if (!s.IsSuccess)
            {
                error = s;
                return null;
            }
        }

        var n = feasible.Count;
        var totals = ArrayPool<long>.Shared.Rent(n);
        var scores = ArrayPool<NodeScore>.Shared.Rent(n);
        try
        {
            Array.Clear(totals, 0, n);
            foreach (var (plugin, weight) in Profile.Score)
            {
                if (state.SkipScorePlugins.Count > 0 && state.SkipScorePlugins.Contains(plugin.Name)) continue;
                var span = scores.AsSpan(0, n);
                for (var i = 0; i < n; i++)
                {
                    span[i].Node = feasible[i];
                    span[i].Score = plugin.Score(state, pod, feasible[i]);
                }
                plugin.NormalizeScore(state, pod, span);
                for (var i = 0; i < n; i++) totals[i] += span[i].Score * weight;
            }

            // Highest total; ties broken uniformly at random by reservoir sampling, as upstream's selectHost.
            var best = 0;
            var ties = 1;
            for (var i = 1; i < n; i++)
            {
                if (totals[i] > totals[best])
                {
                    best = i;
                    ties = 1;
                }
                else if (totals[i] == totals[best] && _random.Next(++ties) == 0)
                {
                    best = i;
                }
            }
            return feasible[best].Name;
        }
        finally
        {
            Array.Clear(scores, 0, n);
            ArrayPool<NodeScore>.Shared.Return(scores);
            ArrayPool<long>.Shared.Return(totals);
        }
    }

    private ScheduleResult Failed(V1Pod pod, PodInfo podInfo, CycleState state, Snapshot snapshot, Diagnosis diagnosis, int numAll)
    {
        PostFilterResult? post = null;
        foreach (var pf in Profile.PostFilter)
        {
            var r = pf.PostFilter(state, pod, snapshot, diagnosis.NodeToStatus);
            if (r.Status.IsSuccess)
            {
                post = r;
                break;
            }
            post = r;
            if (r.Status.Code != Code.Unschedulable) break;
        }
        if (post != null && post.Status.Message != "") diagnosis.PostFilterMsg = post.Status.Message;
        return new ScheduleResult
        {
            FitError = new FitError(pod, numAll, diagnosis),
            PostFilter = post,
            PodInfo = podInfo,
            State = state,
            EvaluatedNodes = numAll,
        };
    }
}
