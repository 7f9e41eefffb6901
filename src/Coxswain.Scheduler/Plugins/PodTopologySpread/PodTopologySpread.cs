using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Plugins;

/// <summary>
/// whenUnsatisfiable=DoNotSchedule constraints as a Filter (skew against the global minimum, with
/// minDomains) and ScheduleAnyway constraints as a Score, as upstream's PodTopologySpread. The
/// cluster-level default constraints upstream applies to pods without constraints are not applied.
/// </summary>
public sealed class PodTopologySpread : IPreFilterPlugin, IFilterPlugin, IPreFilterExtensions, IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "PodTopologySpread";
    public const string ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
    public const string ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + " (missing required label)";
    private const string PreFilterKey = "PreFilter" + PluginName;
    private const string PreScoreKey = "PreScore" + PluginName;
    public string Name => PluginName;
    public IPreFilterExtensions Extensions => this;

    private sealed class FilterState : ICloneableState
    {
        public required SpreadConstraint[] Constraints;
        /// <summary>Per constraint: topology value → matching pods, for every domain with an eligible node.</summary>
        public required Dictionary<string, int>[] TpValueToMatchNum;
        public required int[] Min;

        public object Clone()
        {
            var c = new FilterState { Constraints = Constraints, TpValueToMatchNum = new Dictionary<string, int>[Constraints.Length], Min = (int[])Min.Clone() };
            for (var i = 0; i < Constraints.Length; i++) c.TpValueToMatchNum[i] = new(TpValueToMatchNum[i], StringComparer.Ordinal);
            return c;
        }

        public void RecomputeMin(int i)
        {
            var m = int.MaxValue;
            foreach (var v in TpValueToMatchNum[i].Values) if (v < m) m = v;
            Min[i] = m == int.MaxValue ? 0 : m;
        }

        public int MinMatchNum(int i) =>
            TpValueToMatchNum[i].Count < Constraints[i].MinDomains ? 0 : Min[i];
    }

    public Status PreFilter(CycleState state, V1Pod pod, Snapshot snapshot, out PreFilterResult? result)
    {
        result = null;
        var cs = SpreadConstraint.For(pod, "DoNotSchedule");
        if (cs.Length == 0) return Status.SkipStatus;
        var s = new FilterState { Constraints = cs, TpValueToMatchNum = new Dictionary<string, int>[cs.Length], Min = new int[cs.Length] };
        for (var i = 0; i < cs.Length; i++) s.TpValueToMatchNum[i] = new(StringComparer.Ordinal);
        var ns = pod.Metadata?.NamespaceProperty;
        foreach (var n in snapshot.Nodes)
        {
            var labels = n.Labels;
            if (!SpreadConstraint.NodeHasAllKeys(labels, cs)) continue;
            for (var i = 0; i < cs.Length; i++)
            {
                if (!cs[i].MatchNodeInclusionPolicies(pod, n.Node)) continue;
                var v = labels![cs[i].TopologyKey];
                s.TpValueToMatchNum[i][v] = s.TpValueToMatchNum[i].GetValueOrDefault(v) + cs[i].CountMatching(n.Pods, ns);
            }
        }
        for (var i = 0; i < cs.Length; i++) s.RecomputeMin(i);
        state.Write(PreFilterKey, s);
        return Status.Ok;
    }

    public void AddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo) =>
        Change(state, podToSchedule, podToAdd, nodeInfo, 1);

    public void RemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo) =>
        Change(state, podToSchedule, podToRemove, nodeInfo, -1);

    private static void Change(CycleState state, V1Pod pod, PodInfo p, NodeInfo nodeInfo, int delta)
    {
        if (state.Read<FilterState>(PreFilterKey) is not { } s) return;
        var labels = nodeInfo.Labels;
        if (!SpreadConstraint.NodeHasAllKeys(labels, s.Constraints)) return;
        var m = p.Pod.Metadata;
        if (m?.NamespaceProperty != pod.Metadata?.NamespaceProperty) return;
        for (var i = 0; i < s.Constraints.Length; i++)
        {
            var c = s.Constraints[i];
            if (!c.MatchNodeInclusionPolicies(pod, nodeInfo.Node) || !c.Selector.Matches(m?.Labels)) continue;
            var v = labels![c.TopologyKey];
            s.TpValueToMatchNum[i][v] = s.TpValueToMatchNum[i].GetValueOrDefault(v) + delta;
            s.RecomputeMin(i);
        }
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (state.Read<FilterState>(PreFilterKey) is not { } s) return Status.Ok;
        var labels = nodeInfo.Labels;
        for (var i = 0; i < s.Constraints.Length; i++)
        {
            var c = s.Constraints[i];
            if (labels == null || !labels.TryGetValue(c.TopologyKey, out var v))
                return Status.Unresolvable(ErrReasonNodeLabelNotMatch);
            var self = c.Selector.Matches(pod.Metadata?.Labels) ? 1 : 0;
            var skew = s.TpValueToMatchNum[i].GetValueOrDefault(v) + self - s.MinMatchNum(i);
            if (skew > c.MaxSkew) return Status.Unschedulable(ErrReasonConstraintsNotMatch);
        }
        return Status.Ok;
    }

    private sealed class ScoreState
    {
        public required SpreadConstraint[] Constraints;
        public readonly HashSet<string> IgnoredNodes = new(StringComparer.Ordinal);
        public readonly Dictionary<(string, string), long> TopologyPairToPodCounts = [];
        public required double[] NormalizingWeight;
    }

    public Status PreScore(CycleState state, V1Pod pod, Snapshot snapshot, IReadOnlyList<NodeInfo> feasibleNodes)
    {
        var cs = SpreadConstraint.For(pod, "ScheduleAnyway");
        if (cs.Length == 0 || feasibleNodes.Count == 0) return Status.SkipStatus;
        var s = new ScoreState { Constraints = cs, NormalizingWeight = new double[cs.Length] };
        var topoSize = new int[cs.Length];
        foreach (var n in feasibleNodes)
        {
            var labels = n.Labels;
            if (!SpreadConstraint.NodeHasAllKeys(labels, cs))
            {
                // Nodes without every topology key are scored 0 later.
                s.IgnoredNodes.Add(n.Name);
                continue;
            }
            for (var i = 0; i < cs.Length; i++)
            {
                if (cs[i].TopologyKey == SpreadConstraint.HostnameKey) continue;
                if (s.TopologyPairToPodCounts.TryAdd((cs[i].TopologyKey, labels![cs[i].TopologyKey]), 0)) topoSize[i]++;
            }
        }
        for (var i = 0; i < cs.Length; i++)
        {
            var size = cs[i].TopologyKey == SpreadConstraint.HostnameKey ? feasibleNodes.Count - s.IgnoredNodes.Count : topoSize[i];
            // Domains are weighted by log(size+2) so that many small domains do not dominate few large ones.
            s.NormalizingWeight[i] = Math.Log(size + 2);
        }
        var ns = pod.Metadata?.NamespaceProperty;
        foreach (var n in snapshot.Nodes)
        {
            var labels = n.Labels;
            if (!SpreadConstraint.NodeHasAllKeys(labels, cs)) continue;
            foreach (var c in cs)
            {
                if (!c.MatchNodeInclusionPolicies(pod, n.Node)) continue;
                var pair = (c.TopologyKey, labels![c.TopologyKey]);
                if (!s.TopologyPairToPodCounts.TryGetValue(pair, out var cnt)) continue;
                s.TopologyPairToPodCounts[pair] = cnt + c.CountMatching(n.Pods, ns);
            }
        }
        state.Write(PreScoreKey, s);
        return Status.Ok;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (state.Read<ScoreState>(PreScoreKey) is not { } s || s.IgnoredNodes.Contains(nodeInfo.Name)) return 0;
        var labels = nodeInfo.Labels;
        double score = 0;
        for (var i = 0; i < s.Constraints.Length; i++)
        {
            var c = s.Constraints[i];
            if (labels == null || !labels.TryGetValue(c.TopologyKey, out var v)) continue;
            long cnt = c.TopologyKey == SpreadConstraint.HostnameKey
                ? c.CountMatching(nodeInfo.Pods, pod.Metadata?.NamespaceProperty)
                : s.TopologyPairToPodCounts.GetValueOrDefault((c.TopologyKey, v));
            score += cnt * s.NormalizingWeight[i] + (c.MaxSkew - 1);
        }
        return (long)Math.Round(score, MidpointRounding.AwayFromZero);
    }

    public void NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores)
    {
        if (state.Read<ScoreState>(PreScoreKey) is not { } s) return;
        long min = long.MaxValue, max = 0;
        foreach (var sc in scores)
        {
            if (s.IgnoredNodes.Contains(sc.Node.Name)) continue;
            if (sc.Score < min) min = sc.Score;
            if (sc.Score > max) max = sc.Score;
        }
        foreach (ref var sc in scores)
        {
            if (s.IgnoredNodes.Contains(sc.Node.Name)) sc.Score = 0;
            else if (max == 0) sc.Score = Scores.MaxNodeScore;
            else sc.Score = Scores.MaxNodeScore * (max + min - sc.Score) / max;
        }
    }
}
