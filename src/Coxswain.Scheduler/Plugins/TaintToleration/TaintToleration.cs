using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Plugins;

/// <summary>
/// Filter: the pod must tolerate every NoSchedule/NoExecute taint. Score: fewer untolerated
/// PreferNoSchedule taints is better (normalized in reverse).
/// </summary>
public sealed class TaintToleration : IFilterPlugin, IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "TaintToleration";
    private const string StateKey = "PreScore" + PluginName;
    public string Name => PluginName;

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var taints = nodeInfo.Taints;
        if (taints == null) return Status.Ok;
        var tolerations = pod.Spec?.Tolerations;
        foreach (var t in taints)
        {
            if (t.Effect is not ("NoSchedule" or "NoExecute")) continue;
            if (!Tolerations.AnyTolerates(tolerations, t))
                return Status.Unresolvable($"node(s) had untolerated taint {{{t.Key}: {t.Value}}}");
        }
        return Status.Ok;
    }

    private sealed class PreScoreState(List<V1Toleration> tolerations)
    {
        public readonly List<V1Toleration> PreferNoSchedule = tolerations;
    }

    public Status PreScore(CycleState state, V1Pod pod, Snapshot snapshot, IReadOnlyList<NodeInfo> feasibleNodes)
    {
        // Only tolerations with an empty effect or PreferNoSchedule matter for scoring.
        var list = new List<V1Toleration>();
        if (pod.Spec?.Tolerations != null)
            foreach (var t in pod.Spec.Tolerations)
                if (string.IsNullOrEmpty(t.Effect) || t.Effect == "PreferNoSchedule") list.Add(t);
        state.Write(StateKey, new PreScoreState(list));
        return Status.Ok;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var taints = nodeInfo.Taints;
        if (taints == null) return 0;
        var tolerations = state.Read<PreScoreState>(StateKey)?.PreferNoSchedule;
        long count = 0;
        foreach (var t in taints)
        {
            if (t.Effect != "PreferNoSchedule") continue;
            if (tolerations == null || !Tolerations.AnyTolerates(tolerations, t)) count++;
        }
        return count;
    }

    public void NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores) =>
        Scores.DefaultNormalize(Scores.MaxNodeScore, reverse: true, scores);
}
