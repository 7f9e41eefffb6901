using Coxswain.Scheduler.Framework;
using Coxswain.Scheduler.Plugins;
using k8s.Models;

namespace Coxswain.Scheduler.Tests.Plugins;

public class InterPodAffinityTests
{
    private static Snapshot Zones() => new([
        B.Node("n1", labels: B.L("zone", "z1")), B.Node("n2", labels: B.L("zone", "z1")),
        B.Node("n3", labels: B.L("zone", "z2")), B.Node("nolabel"),
    ]);

    private static V1PodAffinityTerm Term(string key, params string[] sel) => new() { TopologyKey = key, LabelSelector = B.Sel(sel) };

    private static V1Pod WithAffinity(V1Pod pod, V1PodAffinityTerm[]? aff = null, V1PodAffinityTerm[]? anti = null,
        V1WeightedPodAffinityTerm[]? prefAff = null, V1WeightedPodAffinityTerm[]? prefAnti = null)
    {
        pod.Spec.Affinity = new V1Affinity
        {
            PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = aff, PreferredDuringSchedulingIgnoredDuringExecution = prefAff },
            PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = anti, PreferredDuringSchedulingIgnoredDuringExecution = prefAnti },
        };
        return pod;
    }

    [Fact]
    public void Required_affinity_needs_a_matching_pod_in_the_topology_domain()
    {
        var snap = Zones();
        snap.AddPod(B.Pod("db", labels: B.L("app", "db"), nodeName: "n1"));
        var r = B.Filter(new InterPodAffinity(), WithAffinity(B.Pod("p"), aff: [Term("zone", "app", "db")]), snap);
        Assert.True(r["n1"].IsSuccess);
        Assert.True(r["n2"].IsSuccess);
        Assert.Equal("node(s) didn't match pod affinity rules", r["n3"].Message);
        Assert.Equal(Code.UnschedulableAndUnresolvable, r["n3"].Code);
        Assert.False(r["nolabel"].IsSuccess);
    }

    [Fact]
    public void First_pod_of_a_self_affine_group_may_go_anywhere_with_the_topology()
    {
        var pod = WithAffinity(B.Pod("p", labels: B.L("app", "db")), aff: [Term("zone", "app", "db")]);
        var r = B.Filter(new InterPodAffinity(), pod, Zones());
        Assert.True(r["n1"].IsSuccess && r["n3"].IsSuccess);
        Assert.False(r["nolabel"].IsSuccess);
    }

    [Fact]
    public void Required_anti_affinity_of_the_incoming_pod()
    {
        var snap = Zones();
        snap.AddPod(B.Pod("web", labels: B.L("app", "web"), nodeName: "n1"));
        var r = B.Filter(new InterPodAffinity(), WithAffinity(B.Pod("p"), anti: [Term("kubernetes.io/hostname", "app", "web")]), snap);
        Assert.Equal("node(s) didn't match pod anti-affinity rules", r["n1"].Message);
        Assert.Equal(Code.Unschedulable, r["n1"].Code);
        Assert.True(r["n2"].IsSuccess);
    }

    [Fact]
    public void Existing_pods_anti_affinity_against_the_incoming_pod()
    {
        var snap = Zones();
        snap.AddPod(WithAffinity(B.Pod("lonely", nodeName: "n1"), anti: [Term("zone", "app", "web")]));
        var r = B.Filter(new InterPodAffinity(), B.Pod("p", labels: B.L("app", "web")), snap);
        Assert.Equal("node(s) didn't satisfy existing pods anti-affinity rules", r["n1"].Message);
        Assert.False(r["n2"].IsSuccess);
        Assert.True(r["n3"].IsSuccess);
        Assert.True(B.Filter(new InterPodAffinity(), B.Pod("q", labels: B.L("app", "other")), snap)["n1"].IsSuccess);
    }

    [Fact]
    public void Namespaces_default_to_the_pods_own_and_namespace_selector_uses_snapshot_labels()
    {
        var snap = Zones();
        snap.SetNamespaceLabels("team-a", B.L("team", "a"));
        snap.AddPod(B.Pod("db", ns: "team-a", labels: B.L("app", "db"), nodeName: "n3"));
        var sameNs = WithAffinity(B.Pod("p"), aff: [Term("zone", "app", "db")]);
        Assert.False(B.Filter(new InterPodAffinity(), sameNs, snap)["n3"].IsSuccess);
        var term = Term("zone", "app", "db");
        term.NamespaceSelector = B.Sel("team", "a");
        var bySelector = WithAffinity(B.Pod("q"), aff: [term]);
        var r = B.Filter(new InterPodAffinity(), bySelector, snap);
        Assert.True(r["n3"].IsSuccess);
        Assert.False(r["n1"].IsSuccess);
    }

    [Fact]
    public void Preferred_affinity_and_anti_affinity_scores_are_min_max_normalized()
    {
        var snap = Zones();
        snap.AddPod(B.Pod("db", labels: B.L("app", "db"), nodeName: "n1"));
        snap.AddPod(B.Pod("cache", labels: B.L("app", "cache"), nodeName: "n3"));
        var pod = WithAffinity(B.Pod("p"),
            prefAff: [new V1WeightedPodAffinityTerm { Weight = 5, PodAffinityTerm = Term("zone", "app", "db") }],
            prefAnti: [new V1WeightedPodAffinityTerm { Weight = 5, PodAffinityTerm = Term("zone", "app", "cache") }]);
        // z1 = +5, z2 = -5, no zone = 0 → (s-min)/(max-min)*100.
        var s = B.Score(new InterPodAffinity(), pod, snap);
        Assert.Equal([100L, 100, 0, 50], new[] { s["n1"], s["n2"], s["n3"], s["nolabel"] });
    }

    [Fact]
    public void Existing_pods_required_affinity_scores_symmetrically()
    {
        var snap = Zones();
        snap.AddPod(WithAffinity(B.Pod("fan", nodeName: "n3"), aff: [Term("zone", "app", "web")]));
        var s = B.Score(new InterPodAffinity(), B.Pod("p", labels: B.L("app", "web")), snap);
        Assert.Equal(100, s["n3"]);
        Assert.Equal(0, s["n1"]);
    }
}
