using Coxswain.Scheduler;
using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Tests;

/// <summary>Small builders for nodes and pods, in the spirit of upstream's st.MakePod()/MakeNode().</summary>
internal static class B
{
    public static V1Node Node(string name, string cpu = "4", string memory = "32Gi", int pods = 110,
        Dictionary<string, string>? labels = null, V1Taint[]? taints = null, bool unschedulable = false,
        Dictionary<string, string>? extra = null)
    {
        var alloc = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new(pods.ToString()), ["ephemeral-storage"] = new("100Gi"),
        };
        if (extra != null) foreach (var (k, v) in extra) alloc[k] = new ResourceQuantity(v);
        var l = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name };
        if (labels != null) foreach (var (k, v) in labels) l[k] = v;
        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = l },
            Spec = new V1NodeSpec { Taints = taints, Unschedulable = unschedulable },
            Status = new V1NodeStatus { Allocatable = alloc, Capacity = alloc },
        };
    }

    public static V1Pod Pod(string name, string? cpu = null, string? memory = null, string ns = "default",
        Dictionary<string, string>? labels = null, string? nodeName = null, int priority = 0, Dictionary<string, string>? extra = null)
    {
        var req = new Dictionary<string, ResourceQuantity>();
        if (cpu != null) req["cpu"] = new ResourceQuantity(cpu);
        if (memory != null) req["memory"] = new ResourceQuantity(memory);
        if (extra != null) foreach (var (k, v) in extra) req[k] = new ResourceQuantity(v);
        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels ?? new Dictionary<string, string>() },
            Spec = new V1PodSpec
            {
                NodeName = nodeName,
                Priority = priority,
                Containers = [new V1Container { Name = "c", Image = "i", Resources = new V1ResourceRequirements { Requests = req } }],
            },
            Status = new V1PodStatus(),
        };
    }

    public static Dictionary<string, string> L(params string[] kv)
    {
        var d = new Dictionary<string, string>();
        for (var i = 0; i < kv.Length; i += 2) d[kv[i]] = kv[i + 1];
        return d;
    }

    public static V1NodeSelectorRequirement Req(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values };

    public static V1LabelSelector Sel(params string[] kv) => new() { MatchLabels = L(kv) };

    /// <summary>Runs one plugin's PreFilter+Filter over every node and returns the statuses by node.</summary>
    public static Dictionary<string, Status> Filter(IPlugin plugin, V1Pod pod, Snapshot snap)
    {
        var state = new CycleState { PodInfo = new PodInfo(pod) };
        var result = new Dictionary<string, Status>();
        if (plugin is IPreFilterPlugin pf)
        {
            var s = pf.PreFilter(state, pod, snap, out _);
            if (s.IsSkip)
            {
                foreach (var n in snap.Nodes) result[n.Name] = Status.Ok;
                return result;
            }
            if (!s.IsSuccess)
            {
                foreach (var n in snap.Nodes) result[n.Name] = s;
                return result;
            }
        }
        foreach (var n in snap.Nodes) result[n.Name] = ((IFilterPlugin)plugin).Filter(state, pod, n);
        return result;
    }

    /// <summary>Runs one plugin's PreScore+Score+NormalizeScore over the given (feasible) nodes.</summary>
    public static Dictionary<string, long> Score(IScorePlugin plugin, V1Pod pod, Snapshot snap, IReadOnlyList<NodeInfo>? feasible = null)
    {
        feasible ??= snap.Nodes;
        var state = new CycleState { PodInfo = new PodInfo(pod) };
        if (plugin is IPreScorePlugin ps && ps.PreScore(state, pod, snap, feasible).IsSkip)
            return feasible.ToDictionary(n => n.Name, _ => 0L);
        var scores = feasible.Select(n => new NodeScore { Node = n, Score = plugin.Score(state, pod, n) }).ToArray();
        plugin.NormalizeScore(state, pod, scores);
        return scores.ToDictionary(s => s.Node.Name, s => s.Score);
    }
}
