using k8s.Models;

namespace Coxswain.Scheduler.Framework;

/// <summary>
/// A node and what is placed on it (upstream's framework.NodeInfo): its pods, the sum of their
/// requests (exact and non-zero for scoring), used host ports and pods with (anti-)affinity.
/// </summary>
public sealed class NodeInfo
{
    public V1Node Node { get; private set; }
    public string Name { get; private set; }
    public Resource Allocatable { get; private set; }
    // Copied out of Node: filters read them for hundreds of nodes per pod, and each hop through the model is a
    // likely cache miss (they were a tenth of the scheduler's time with 5,000 nodes).
    public bool Unschedulable { get; private set; }
    public IList<V1Taint>? Taints { get; private set; }
    public IDictionary<string, string>? Labels { get; private set; }
    public Resource Requested { get; } = new();
    public long NonZeroMilliCpu { get; private set; }
    public long NonZeroMemory { get; private set; }
    public List<PodInfo> Pods { get; } = [];
    public List<PodInfo> PodsWithAffinity { get; } = [];
    public List<PodInfo> PodsWithRequiredAntiAffinity { get; } = [];
    public List<(string Ip, string Protocol, int Port)> UsedPorts { get; } = [];
    /// <summary>Bumped on every change; lets callers notice a stale copy.</summary>
    public long Generation { get; private set; }

    public NodeInfo(V1Node node)
    {
        Node = node;
        Name = node.Metadata?.Name ?? "";
        Allocatable = Resource.FromList(node.Status?.Allocatable);
        CopyFromNode(node);
    }

    public void SetNode(V1Node node)
    {
        Node = node;
        Name = node.Metadata?.Name ?? "";
        Allocatable = Resource.FromList(node.Status?.Allocatable);
        CopyFromNode(node);
        Generation++;
    }

    private void CopyFromNode(V1Node node)
    {
        Unschedulable = node.Spec?.Unschedulable == true;
        Taints = node.Spec?.Taints;
        Labels = node.Metadata?.Labels;
    }

    public void AddPod(PodInfo p)
    {
        Pods.Add(p);
        Requested.Add(p.Requests);
        NonZeroMilliCpu += p.NonZeroMilliCpu;
        NonZeroMemory += p.NonZeroMemory;
        if (p.HasAffinity) PodsWithAffinity.Add(p);
        if (p.RequiredAntiAffinityTerms.Length > 0) PodsWithRequiredAntiAffinity.Add(p);
        foreach (var port in p.HostPorts) UsedPorts.Add(port);
        Generation++;
    }

    /// <summary>Removes the pod with the same namespace/name; false if it is not on this node.</summary>
    public bool RemovePod(V1Pod pod)
    {
        var idx = IndexOf(Pods, pod);
        if (idx < 0) return false;
        var p = Pods[idx];
        Pods[idx] = Pods[^1];
        Pods.RemoveAt(Pods.Count - 1);
        Requested.Add(p.Requests, -1);
        NonZeroMilliCpu -= p.NonZeroMilliCpu;
        NonZeroMemory -= p.NonZeroMemory;
        if (IndexOf(PodsWithAffinity, pod) is var a and >= 0) PodsWithAffinity.RemoveAt(a);
        if (IndexOf(PodsWithRequiredAntiAffinity, pod) is var r and >= 0) PodsWithRequiredAntiAffinity.RemoveAt(r);
        foreach (var port in p.HostPorts) UsedPorts.Remove(port);
        Generation++;
        return true;
    }

    /// <summary>A copy whose pod lists can be changed without touching this one (preemption's dry runs).</summary>
    public NodeInfo Clone()
    {
        var c = new NodeInfo(Node) { Allocatable = Allocatable, Generation = Generation };
        foreach (var p in Pods) c.AddPod(p);
        return c;
    }

    /// <summary>Upstream's HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every address.</summary>
    public bool PortConflicts(string ip, string protocol, int port)
    {
        foreach (var u in UsedPorts)
        {
            if (u.Port != port || u.Protocol != protocol) continue;
            if (ip == "0.0.0.0" || u.Ip == "0.0.0.0" || u.Ip == ip) return true;
        }
        return false;
    }

    private static int IndexOf(List<PodInfo> list, V1Pod pod)
    {
        var ns = pod.Metadata?.NamespaceProperty;
        var name = pod.Metadata?.Name;
        for (var i = 0; i < list.Count; i++)
        {
            var m = list[i].Pod.Metadata;
            if (ReferenceEquals(list[i].Pod, pod) || (m?.Name == name && m?.NamespaceProperty == ns)) return i;
        }
        return -1;
    }
}
