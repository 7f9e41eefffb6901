using k8s.Models;

namespace Coxswain.Scheduler.Framework;

/// <summary>
/// The cluster as one scheduling cycle sees it: all NodeInfos plus namespace labels. Owned by one
/// thread; the wiring applies node/pod events between cycles with the incremental methods here,
/// each O(1) or O(pods on the node), so thousands of nodes never need a rebuild.
/// </summary>
public sealed class Snapshot
{
    private readonly List<NodeInfo> _nodes = [];
    private readonly Dictionary<string, NodeInfo> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IDictionary<string, string>> _namespaceLabels = new(StringComparer.Ordinal);
    /// <summary>Where each pod (namespace/name) is, so adding a pod again (assumed, then seen bound) replaces it.</summary>
    private readonly Dictionary<(string?, string?), string> _podNode = [];
    private List<NodeInfo>? _withAffinity;
    private List<NodeInfo>? _withRequiredAnti;

    public Snapshot() { }

    public Snapshot(IEnumerable<V1Node> nodes, IEnumerable<V1Pod>? pods = null)
    {
        foreach (var n in nodes) AddOrUpdateNode(n);
        if (pods != null)
            foreach (var p in pods)
                if (!string.IsNullOrEmpty(p.Spec?.NodeName)) AddPod(p);
    }

    public IReadOnlyList<NodeInfo> Nodes => _nodes;
    public int Count => _nodes.Count;

    public NodeInfo? Get(string nodeName) => _byName.GetValueOrDefault(nodeName);

    /// <summary>Nodes with at least one pod that has any pod (anti-)affinity.</summary>
    public IReadOnlyList<NodeInfo> HavePodsWithAffinity => _withAffinity ??= Filter(n => n.PodsWithAffinity.Count > 0);

    /// <summary>Nodes with at least one pod that has required anti-affinity.</summary>
    public IReadOnlyList<NodeInfo> HavePodsWithRequiredAntiAffinity =>
        _withRequiredAnti ??= Filter(n => n.PodsWithRequiredAntiAffinity.Count > 0);

    public void SetNamespaceLabels(string ns, IDictionary<string, string>? labels)
    {
        if (labels == null) _namespaceLabels.Remove(ns);
        else _namespaceLabels[ns] = labels;
    }

    public IDictionary<string, string>? NamespaceLabels(string? ns) =>
        ns != null && _namespaceLabels.TryGetValue(ns, out var l) ? l : null;

    public NodeInfo AddOrUpdateNode(V1Node node)
    {
        var name = node.Metadata?.Name ?? throw new ArgumentException("node without a name", nameof(node));
        if (_byName.TryGetValue(name, out var existing))
        {
            existing.SetNode(node);
            return existing;
        }
        var ni = new NodeInfo(node);
        _byName[name] = ni;
        _nodes.Add(ni);
        return ni;
    }

    public bool RemoveNode(string name)
    {
        if (!_byName.Remove(name, out var ni)) return false;
        _nodes.Remove(ni);
        foreach (var p in ni.Pods) _podNode.Remove((p.Pod.Metadata?.NamespaceProperty, p.Pod.Metadata?.Name));
        Invalidate();
        return true;
    }

    /// <summary>
    /// Adds a bound (or assumed) pod to the node named by spec.nodeName or <paramref name="nodeName"/>;
    /// a pod with the same namespace/name already in the snapshot is replaced (an update).
    /// </summary>
    public PodInfo? AddPod(V1Pod pod, string? nodeName = null) =>
        AddPod(new PodInfo(pod), nodeName);

    public PodInfo? AddPod(PodInfo pi, string? nodeName = null)
    {
        nodeName ??= pi.Pod.Spec?.NodeName;
        if (nodeName == null || !_byName.TryGetValue(nodeName, out var ni)) return null;
        var key = (pi.Pod.Metadata?.NamespaceProperty, pi.Pod.Metadata?.Name);
        if (_podNode.TryGetValue(key, out var oldNode)) RemovePod(pi.Pod, oldNode);
        _podNode[key] = nodeName;
        var hadAff = ni.PodsWithAffinity.Count > 0;
        var hadAnti = ni.PodsWithRequiredAntiAffinity.Count > 0;
        ni.AddPod(pi);
        if (!hadAff && ni.PodsWithAffinity.Count > 0) _withAffinity = null;
        if (!hadAnti && ni.PodsWithRequiredAntiAffinity.Count > 0) _withRequiredAnti = null;
        return pi;
    }

    public bool RemovePod(V1Pod pod, string? nodeName = null)
    {
        var key = (pod.Metadata?.NamespaceProperty, pod.Metadata?.Name);
        nodeName ??= _podNode.GetValueOrDefault(key) ?? pod.Spec?.NodeName;
        if (nodeName == null || !_byName.TryGetValue(nodeName, out var ni)) return false;
        _podNode.Remove(key);
        var hadAff = ni.PodsWithAffinity.Count > 0;
        var hadAnti = ni.PodsWithRequiredAntiAffinity.Count > 0;
        if (!ni.RemovePod(pod)) return false;
        if (hadAff && ni.PodsWithAffinity.Count == 0) _withAffinity = null;
        if (hadAnti && ni.PodsWithRequiredAntiAffinity.Count == 0) _withRequiredAnti = null;
        return true;
    }

    /// <summary>Marks the derived node lists stale, e.g. after changing a NodeInfo directly.</summary>
    public void Invalidate()
    {
        _withAffinity = null;
        _withRequiredAnti = null;
    }

    private List<NodeInfo> Filter(Func<NodeInfo, bool> pred)
    {
        var l = new List<NodeInfo>();
        foreach (var n in _nodes) if (pred(n)) l.Add(n);
        return l;
    }
}
