using k8s.Models;

namespace Coxswain.Scheduler.Framework;

/// <summary>One pod's affinity term, compiled (upstream's framework.AffinityTerm).</summary>
public sealed class AffinityTerm
{
    public required LabelSelector Selector { get; init; }
    public required HashSet<string> Namespaces { get; init; }
    /// <summary>Null when the term has no namespaceSelector (then only <see cref="Namespaces"/> count).</summary>
    public LabelSelector? NamespaceSelector { get; init; }
    public required string TopologyKey { get; init; }
    public int Weight { get; init; }

    public bool Matches(V1Pod pod, IDictionary<string, string>? nsLabels)
    {
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        if (!Namespaces.Contains(ns) && (NamespaceSelector == null || !NamespaceSelector.Matches(nsLabels))) return false;
        return Selector.Matches(pod.Metadata?.Labels);
    }

    internal static AffinityTerm From(V1PodAffinityTerm t, V1Pod owner, int weight)
    {
        var namespaces = new HashSet<string>(StringComparer.Ordinal);
        if (t.Namespaces != null) namespaces.UnionWith(t.Namespaces);
        // No namespaces and no selector means "the pod's own namespace".
        if (namespaces.Count == 0 && t.NamespaceSelector == null)
            namespaces.Add(owner.Metadata?.NamespaceProperty ?? "default");
        var selector = LabelSelector.From(t.LabelSelector,
            MatchLabelKeys(owner, t.MatchLabelKeys));
        return new AffinityTerm
        {
            Selector = selector,
            Namespaces = namespaces,
            NamespaceSelector = t.NamespaceSelector == null ? null : LabelSelector.From(t.NamespaceSelector),
            TopologyKey = t.TopologyKey,
            Weight = weight,
        };
    }

    internal static IEnumerable<(string, string)>? MatchLabelKeys(V1Pod owner, IList<string>? keys)
    {
        if (keys == null || keys.Count == 0) return null;
        var labels = owner.Metadata?.Labels;
        var list = new List<(string, string)>();
        foreach (var k in keys)
            if (labels != null && labels.TryGetValue(k, out var v)) list.Add((k, v));
        return list;
    }
}

/// <summary>A pod with everything the scheduler derives from it computed once (upstream's framework.PodInfo).</summary>
public sealed class PodInfo
{
    private static readonly AffinityTerm[] NoTerms = [];

    public V1Pod Pod { get; }
    public Resource Requests { get; }
    /// <summary>cpu/memory with the 100m/200Mi defaults for containers that request none; used by scoring.</summary>
    public long NonZeroMilliCpu { get; }
    public long NonZeroMemory { get; }
    public AffinityTerm[] RequiredAffinityTerms { get; }
    public AffinityTerm[] RequiredAntiAffinityTerms { get; }
    public AffinityTerm[] PreferredAffinityTerms { get; }
    public AffinityTerm[] PreferredAntiAffinityTerms { get; }
    public (string Ip, string Protocol, int Port)[] HostPorts { get; }
    public int Priority => Pod.Spec?.Priority ?? 0;

    public PodInfo(V1Pod pod)
    {
        Pod = pod;
        Requests = PodRequests.Compute(pod, nonZero: false);
        var nz = PodRequests.Compute(pod, nonZero: true);
        NonZeroMilliCpu = nz.MilliCpu;
        NonZeroMemory = nz.Memory;
        var aff = pod.Spec?.Affinity;
        RequiredAffinityTerms = Terms(aff?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, pod);
        RequiredAntiAffinityTerms = Terms(aff?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, pod);
        PreferredAffinityTerms = Weighted(aff?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, pod);
        PreferredAntiAffinityTerms = Weighted(aff?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, pod);
        HostPorts = Ports(pod);
    }

    public bool HasAffinity => RequiredAffinityTerms.Length + RequiredAntiAffinityTerms.Length
        + PreferredAffinityTerms.Length + PreferredAntiAffinityTerms.Length > 0;

    public DateTime StartTime => Pod.Status?.StartTime ?? Pod.Metadata?.CreationTimestamp ?? DateTime.MaxValue;

    private static AffinityTerm[] Terms(IList<V1PodAffinityTerm>? terms, V1Pod pod)
    {
        if (terms == null || terms.Count == 0) return NoTerms;
        var a = new AffinityTerm[terms.Count];
        for (var i = 0; i < a.Length; i++) a[i] = AffinityTerm.From(terms[i], pod, 0);
        return a;
    }

    private static AffinityTerm[] Weighted(IList<V1WeightedPodAffinityTerm>? terms, V1Pod pod)
    {
        if (terms == null || terms.Count == 0) return NoTerms;
        var a = new AffinityTerm[terms.Count];
        for (var i = 0; i < a.Length; i++) a[i] = AffinityTerm.From(terms[i].PodAffinityTerm, pod, terms[i].Weight);
        return a;
    }

    private static (string, string, int)[] Ports(V1Pod pod)
    {
        var cs = pod.Spec?.Containers;
        if (cs == null) return [];
        List<(string, string, int)>? list = null;
        foreach (var c in cs)
        {
            if (c.Ports == null) continue;
            foreach (var p in c.Ports)
            {
                if (p.HostPort is not > 0) continue;
                var ip = string.IsNullOrEmpty(p.HostIP) ? "0.0.0.0" : p.HostIP;
                (list ??= []).Add((ip, string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol, p.HostPort.Value));
            }
        }
        return list?.ToArray() ?? [];
    }
}
