using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Plugins;

/// <summary>
/// spec.nodeSelector and required node affinity (Filter); preferred node affinity weights (Score).
/// PreFilter narrows the cycle to the named nodes when every term pins metadata.name with In.
/// </summary>
public sealed class NodeAffinity : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "NodeAffinity";
    public const string ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";
    public const string ErrReasonConflict = "pod affinity terms conflict";
    private const string PreScoreKey = "PreScore" + PluginName;
    public string Name => PluginName;

    public Status PreFilter(CycleState state, V1Pod pod, Snapshot snapshot, out PreFilterResult? result)
    {
        result = null;
        var terms = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        if (pod.Spec?.NodeSelector is not { Count: > 0 } && terms == null) return Status.SkipStatus;
        if (terms == null) return Status.Ok;
        // Upstream: if every term has a metadata.name In requirement, only those nodes can match.
        HashSet<string>? names = null;
        foreach (var t in terms)
        {
            HashSet<string>? termNames = null;
            if (t.MatchFields != null)
                foreach (var f in t.MatchFields)
                    if (f.Key == "metadata.name" && f.OperatorProperty == "In" && f.Values != null)
                    {
                        var s = new HashSet<string>(f.Values, StringComparer.Ordinal);
                        if (termNames == null) termNames = s;
                        else termNames.IntersectWith(s);
                    }
            if (termNames == null) return Status.Ok;
            (names ??= new(StringComparer.Ordinal)).UnionWith(termNames);
        }
        // Every term pins metadata.name, but to disjoint sets: nothing can match.
        if (names is { Count: 0 })
            return Status.Unresolvable(ErrReasonConflict);
        result = new PreFilterResult(names);
        return Status.Ok;
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo) =>
        NodeSelectors.PodMatchesNodeRequirements(pod, nodeInfo.Node) ? Status.Ok : Status.Unresolvable(ErrReasonPod);

    public Status PreScore(CycleState state, V1Pod pod, Snapshot snapshot, IReadOnlyList<NodeInfo> feasibleNodes)
    {
        var preferred = pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution;
        if (preferred == null || preferred.Count == 0) return Status.SkipStatus;
        state.Write(PreScoreKey, preferred);
        return Status.Ok;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var preferred = state.Read<IList<V1PreferredSchedulingTerm>>(PreScoreKey);
        if (preferred == null) return 0;
        long count = 0;
        foreach (var t in preferred)
        {
            // Weight 0 terms never count; an empty preference matches nothing.
            if (t.Weight == 0) continue;
            if (NodeSelectors.MatchesTerm(t.Preference, nodeInfo.Node)) count += t.Weight;
        }
        return count;
    }

    public void NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores) =>
        Scores.DefaultNormalize(Scores.MaxNodeScore, reverse: false, scores);
}
