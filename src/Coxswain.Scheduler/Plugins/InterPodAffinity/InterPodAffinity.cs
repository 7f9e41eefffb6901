using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Plugins;

/// <summary>
/// Required pod affinity/anti-affinity of the incoming pod, existing pods' required anti-affinity
/// against it (Filter), and symmetric preferred scoring (Score), as upstream's InterPodAffinity.
/// </summary>
public sealed class InterPodAffinity : IPreFilterPlugin, IFilterPlugin, IPreFilterExtensions, IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "InterPodAffinity";
    public const string ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
    public const string ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
    public const string ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
    /// <summary>Upstream's default hardPodAffinityWeight: existing pods' required affinity counts in scoring with this weight.</summary>
    public int HardPodAffinityWeight { get; init; } = 1;

    private const string PreFilterKey = "PreFilter" + PluginName;
    private const string PreScoreKey = "PreScore" + PluginName;
    public string Name => PluginName;
    public IPreFilterExtensions Extensions => this;

    private sealed class FilterState : ICloneableState
    {
        public required PodInfo PodInfo;
        public Dictionary<(string, string), long> ExistingAntiAffinityCounts = [];
        public Dictionary<(string, string), long> AffinityCounts = [];
        public Dictionary<(string, string), long> AntiAffinityCounts = [];
        public IDictionary<string, string>? NamespaceLabels;
        public required Snapshot Snapshot;

        public object Clone() => new FilterState
        {
            PodInfo = PodInfo,
            Snapshot = Snapshot,
            ExistingAntiAffinityCounts = new(ExistingAntiAffinityCounts),
            AffinityCounts = new(AffinityCounts),
            AntiAffinityCounts = new(AntiAffinityCounts),
            NamespaceLabels = NamespaceLabels,
        };
    }

    public Status PreFilter(CycleState state, V1Pod pod, Snapshot snapshot, out PreFilterResult? result)
    {
        result = null;
        var pi = SchedulingAlgorithm.PodInfoOf(state, pod);
        var withAnti = snapshot.HavePodsWithRequiredAntiAffinity;
        if (pi.RequiredAffinityTerms.Length == 0 && pi.RequiredAntiAffinityTerms.Length == 0 && withAnti.Count == 0)
            return Status.SkipStatus;
        var s = new FilterState { PodInfo = pi, Snapshot = snapshot, NamespaceLabels = snapshot.NamespaceLabels(pod.Metadata?.NamespaceProperty) };
        foreach (var n in withAnti)
            foreach (var existing in n.PodsWithRequiredAntiAffinity)
                UpdateExistingAnti(s, existing, n.Node, 1, snapshot);
        if (pi.RequiredAffinityTerms.Length > 0 || pi.RequiredAntiAffinityTerms.Length > 0)
            foreach (var n in snapshot.Nodes)
                foreach (var existing in n.Pods)
                    UpdateIncoming(s, existing, n.Node, 1, snapshot);
        state.Write(PreFilterKey, s);
        return Status.Ok;
    }

    // Existing pod's required anti-affinity terms that match the incoming pod block the term's topology domain.
    private static void UpdateExistingAnti(FilterState s, PodInfo existing, V1Node node, long delta, Snapshot snapshot)
    {
        foreach (var t in existing.RequiredAntiAffinityTerms)
            if (t.Matches(s.PodInfo.Pod, s.NamespaceLabels)) Update(s.ExistingAntiAffinityCounts, node, t.TopologyKey, delta);
    }

    private static void UpdateIncoming(FilterState s, PodInfo existing, V1Node node, long delta, Snapshot snapshot)
    {
        var nsLabels = snapshot.NamespaceLabels(existing.Pod.Metadata?.NamespaceProperty);
        var aff = s.PodInfo.RequiredAffinityTerms;
        if (aff.Length > 0 && MatchesAll(aff, existing.Pod, nsLabels))
            foreach (var t in aff) Update(s.AffinityCounts, node, t.TopologyKey, delta);
        foreach (var t in s.PodInfo.RequiredAntiAffinityTerms)
            if (t.Matches(existing.Pod, nsLabels)) Update(s.AntiAffinityCounts, node, t.TopologyKey, delta);
    }

    private static bool MatchesAll(AffinityTerm[] terms, V1Pod pod, IDictionary<string, string>? nsLabels)
    {
        foreach (var t in terms) if (!t.Matches(pod, nsLabels)) return false;
        return terms.Length > 0;
    }

    private static void Update(Dictionary<(string, string), long> m, V1Node node, string key, long delta)
    {
        if (node.Metadata?.Labels is not { } labels || !labels.TryGetValue(key, out var v)) return;
        var k = (key, v);
        var c = m.GetValueOrDefault(k) + delta;
        if (c == 0) m.Remove(k);
        else m[k] = c;
    }

    public void AddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo) =>
        Change(state, podToAdd, nodeInfo, 1);

    public void RemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo) =>
        Change(state, podToRemove, nodeInfo, -1);

    private void Change(CycleState state, PodInfo p, NodeInfo nodeInfo, long delta)
    {
        if (state.Read<FilterState>(PreFilterKey) is not { } s) return;
        UpdateExistingAnti(s, p, nodeInfo.Node, delta, s.Snapshot);
        UpdateIncoming(s, p, nodeInfo.Node, delta, s.Snapshot);
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (state.Read<FilterState>(PreFilterKey) is not { } s) return Status.Ok;
        var labels = nodeInfo.Labels;
        if (!SatisfyAffinity(s, labels)) return Status.Unresolvable(ErrReasonAffinityRulesNotMatch);
        foreach (var t in s.PodInfo.RequiredAntiAffinityTerms)
            if (labels != null && labels.TryGetValue(t.TopologyKey, out var v) && s.AntiAffinityCounts.GetValueOrDefault((t.TopologyKey, v)) > 0)
                return Status.Unschedulable(ErrReasonAntiAffinityRulesNotMatch);
        if (s.ExistingAntiAffinityCounts.Count > 0 && labels != null)
            foreach (var (k, v) in labels)
                if (s.ExistingAntiAffinityCounts.GetValueOrDefault((k, v)) > 0)
                    return Status.Unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);
        return Status.Ok;
    }

    private static bool SatisfyAffinity(FilterState s, IDictionary<string, string>? labels)
    {
        var podsExist = true;
        foreach (var t in s.PodInfo.RequiredAffinityTerms)
        {
            if (labels == null || !labels.TryGetValue(t.TopologyKey, out var v)) return false;
            if (s.AffinityCounts.GetValueOrDefault((t.TopologyKey, v)) <= 0) podsExist = false;
        }
        if (podsExist) return true;
        // The first pod of a group with affinity to itself may go anywhere the topology exists.
        return s.AffinityCounts.Count == 0 && MatchesAll(s.PodInfo.RequiredAffinityTerms, s.PodInfo.Pod, s.NamespaceLabels);
    }

    private sealed class ScoreState
    {
        public readonly Dictionary<(string, string), long> TopologyScore = [];
    }

    public Status PreScore(CycleState state, V1Pod pod, Snapshot snapshot, IReadOnlyList<NodeInfo> feasibleNodes)
    {
        var pi = SchedulingAlgorithm.PodInfoOf(state, pod);
        var hasPreferred = pi.PreferredAffinityTerms.Length > 0 || pi.PreferredAntiAffinityTerms.Length > 0;
        // Without preferences of its own only existing pods' affinity can score the pod.
        var nodes = hasPreferred ? snapshot.Nodes : snapshot.HavePodsWithAffinity;
        if (nodes.Count == 0) return Status.SkipStatus;
        var s = new ScoreState();
        var nsLabels = snapshot.NamespaceLabels(pod.Metadata?.NamespaceProperty);
        foreach (var n in nodes)
        {
            var list = hasPreferred ? n.Pods : n.PodsWithAffinity;
            foreach (var existing in list) ProcessExistingPod(s, pi, nsLabels, existing, n.Node, snapshot);
        }
        if (s.TopologyScore.Count == 0) return Status.SkipStatus;
        state.Write(PreScoreKey, s);
        return Status.Ok;
    }

    private void ProcessExistingPod(ScoreState s, PodInfo incoming, IDictionary<string, string>? incomingNsLabels,
        PodInfo existing, V1Node node, Snapshot snapshot)
    {
        var labels = node.Metadata?.Labels;
        if (labels == null) return;
        var existingNsLabels = snapshot.NamespaceLabels(existing.Pod.Metadata?.NamespaceProperty);
        foreach (var t in incoming.PreferredAffinityTerms)
            if (t.Matches(existing.Pod, existingNsLabels)) Add(s, labels, t.TopologyKey, t.Weight);
        foreach (var t in incoming.PreferredAntiAffinityTerms)
            if (t.Matches(existing.Pod, existingNsLabels)) Add(s, labels, t.TopologyKey, -t.Weight);
        if (HardPodAffinityWeight > 0)
            foreach (var t in existing.RequiredAffinityTerms)
                if (t.Matches(incoming.Pod, incomingNsLabels)) Add(s, labels, t.TopologyKey, HardPodAffinityWeight);
        foreach (var t in existing.PreferredAffinityTerms)
            if (t.Matches(incoming.Pod, incomingNsLabels)) Add(s, labels, t.TopologyKey, t.Weight);
        foreach (var t in existing.PreferredAntiAffinityTerms)
            if (t.Matches(incoming.Pod, incomingNsLabels)) Add(s, labels, t.TopologyKey, -t.Weight);
    }

    private static void Add(ScoreState s, IDictionary<string, string> labels, string key, long w)
    {
        if (!labels.TryGetValue(key, out var v)) return;
        s.TopologyScore[(key, v)] = s.TopologyScore.GetValueOrDefault((key, v)) + w;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (state.Read<ScoreState>(PreScoreKey) is not { } s || nodeInfo.Labels is not { } labels) return 0;
        long score = 0;
        foreach (var (k, v) in labels) score += s.TopologyScore.GetValueOrDefault((k, v));
        return score;
    }

    public void NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores)
    {
        if (state.Read<ScoreState>(PreScoreKey) is not { TopologyScore.Count: > 0 }) return;
        long min = long.MaxValue, max = long.MinValue;
        foreach (var s in scores)
        {
            if (s.Score < min) min = s.Score;
            if (s.Score > max) max = s.Score;
        }
        var diff = max - min;
        foreach (ref var s in scores)
            s.Score = diff > 0 ? (long)(Scores.MaxNodeScore * ((double)(s.Score - min) / diff)) : 0;
    }
}
