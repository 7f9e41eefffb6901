using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Plugins;

/// <summary>Rejects cordoned nodes (spec.unschedulable) unless the pod tolerates node.kubernetes.io/unschedulable:NoSchedule.</summary>
public sealed class NodeUnschedulable : IFilterPlugin
{
    public const string PluginName = "NodeUnschedulable";
    public const string ErrReasonUnschedulable = "node(s) were unschedulable";
    private static readonly V1Taint UnschedulableTaint = new() { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" };

    public string Name => PluginName;

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!nodeInfo.Unschedulable) return Status.Ok;
        return Tolerations.AnyTolerates(pod.Spec?.Tolerations, UnschedulableTaint)
            ? Status.Ok
            : Status.Unresolvable(ErrReasonUnschedulable);
    }
}
