using Coxswain.Scheduler.Framework;
using Coxswain.Scheduler.Plugins;

namespace Coxswain.Scheduler;

/// <summary>The one list of in-tree plugins, and the default profile built from it.</summary>
public static class Registry
{
    public const string DefaultSchedulerName = "default-scheduler";

    /// <summary>Plugin factories by upstream name.</summary>
    public static readonly IReadOnlyDictionary<string, Func<IPlugin>> Factories = new Dictionary<string, Func<IPlugin>>
    {
        [NodeUnschedulable.PluginName] = () => new NodeUnschedulable(),
        [NodeName.PluginName] = () => new NodeName(),
        [TaintToleration.PluginName] = () => new TaintToleration(),
        [NodeAffinity.PluginName] = () => new NodeAffinity(),
        [NodePorts.PluginName] = () => new NodePorts(),
        [NodeResourcesFit.PluginName] = () => new NodeResourcesFit(),
        [PodTopologySpread.PluginName] = () => new PodTopologySpread(),
        [InterPodAffinity.PluginName] = () => new InterPodAffinity(),
        [DefaultPreemption.PluginName] = () => new DefaultPreemption(),
        [NodeResourcesBalancedAllocation.PluginName] = () => new NodeResourcesBalancedAllocation(),
    };

    /// <summary>
    /// Upstream v1.32's default profile order and score weights (volume plugins, ImageLocality,
    /// SchedulingGates and PrioritySort live elsewhere or are not implemented here).
    /// </summary>
    public static Profile DefaultProfile(int percentageOfNodesToScore = 0)
    {
        (string Name, int Weight)[] plugins =
        [
            (NodeUnschedulable.PluginName, 0),
            (NodeName.PluginName, 0),
            (TaintToleration.PluginName, 3),
            (NodeAffinity.PluginName, 2),
            (NodePorts.PluginName, 0),
            (NodeResourcesFit.PluginName, 1),
            (PodTopologySpread.PluginName, 2),
            (InterPodAffinity.PluginName, 2),
            (DefaultPreemption.PluginName, 0),
            (NodeResourcesBalancedAllocation.PluginName, 1),
        ];
        var entries = plugins.Select(p => new PluginEntry(Factories[p.Name](), p.Weight)).ToList();
        var profile = new Profile(DefaultSchedulerName, entries) { PercentageOfNodesToScore = percentageOfNodesToScore };
        foreach (var e in entries)
            if (e.Plugin is DefaultPreemption dp) dp.Profile = profile;
        return profile;
    }
}
