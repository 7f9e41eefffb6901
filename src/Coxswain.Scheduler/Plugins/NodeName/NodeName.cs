using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Plugins;

/// <summary>Rejects nodes other than spec.nodeName when it is set.</summary>
public sealed class NodeName : IFilterPlugin
{
    public const string PluginName = "NodeName";
    public const string ErrReason = "node(s) didn't match the requested node name";
    public string Name => PluginName;

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var want = pod.Spec?.NodeName;
        return string.IsNullOrEmpty(want) || want == nodeInfo.Name ? Status.Ok : Status.Unresolvable(ErrReason);
    }
}
