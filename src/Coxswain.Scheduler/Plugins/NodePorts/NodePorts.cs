using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Plugins;

/// <summary>Rejects nodes where a requested hostPort (with protocol and hostIP) is already used.</summary>
public sealed class NodePorts : IPreFilterPlugin, IFilterPlugin
{
    public const string PluginName = "NodePorts";
    public const string ErrReason = "node(s) didn't have free ports for the requested pod ports";
    public string Name => PluginName;

    public Status PreFilter(CycleState state, V1Pod pod, Snapshot snapshot, out PreFilterResult? result)
    {
        result = null;
        return SchedulingAlgorithm.PodInfoOf(state, pod).HostPorts.Length == 0 ? Status.SkipStatus : Status.Ok;
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        foreach (var (ip, proto, port) in SchedulingAlgorithm.PodInfoOf(state, pod).HostPorts)
            if (nodeInfo.PortConflicts(ip, proto, port)) return Status.Unschedulable(ErrReason);
        return Status.Ok;
    }
}
