using Coxswain.Scheduler.Framework;
using Coxswain.Scheduler.Plugins;
using k8s.Models;

namespace Coxswain.Scheduler.Tests.Plugins;

public class PodTopologySpreadTests
{
    private static V1Pod Spread(string key, string when, int maxSkew = 1, int? minDomains = null, string? matchLabelKey = null)
    {
        var pod = B.Pod("p", labels: B.L("app", "web", "rev", "2"));
        pod.Spec.TopologySpreadConstraints =
        [
            new V1TopologySpreadConstraint
            {
                MaxSkew = maxSkew, TopologyKey = key, WhenUnsatisfiable = when, LabelSelector = B.Sel("app", "web"),
                MinDomains = minDomains, MatchLabelKeys = matchLabelKey == null ? null : [matchLabelKey],
            },
        ];
        return pod;
    }

    private static Snapshot Zones()
    {
        var snap = new Snapshot([
            B.Node("n1", labels: B.L("zone", "z1")), B.Node("n2", labels: B.L("zone", "z1")),
            B.Node("n3", labels: B.L("zone", "z2")), B.Node("nolabel"),
        ]);
        return snap;
    }

    [Fact]
    public void Filter_rejects_domains_above_max_skew_and_nodes_without_the_key()
    {
        var snap = Zones();
        snap.AddPod(B.Pod("w1", labels: B.L("app", "web"), nodeName: "n1"));
        snap.AddPod(B.Pod("w2", labels: B.L("app", "web"), nodeName: "n2"));
        snap.AddPod(B.Pod("other-ns", labels: B.L("app", "web"), ns: "x", nodeName: "n3"));
        var r = B.Filter(new PodTopologySpread(), Spread("zone", "DoNotSchedule"), snap);
        Assert.Equal("node(s) didn't match pod topology spread constraints", r["n1"].Message);
        Assert.Equal(Code.Unschedulable, r["n1"].Code);
        Assert.False(r["n2"].IsSuccess);
        Assert.True(r["n3"].IsSuccess);
        Assert.Equal("node(s) didn't match pod topology spread constraints (missing required label)", r["nolabel"].Message);
        Assert.Equal(Code.UnschedulableAndUnresolvable, r["nolabel"].Code);
    }

    [Fact]
    public void MinDomains_treats_global_minimum_as_zero_when_too_few_domains()
    {
        var snap = Zones();
        snap.AddPod(B.Pod("w1", labels: B.L("app", "web"), nodeName: "n1"));
        snap.AddPod(B.Pod("w2", labels: B.L("app", "web"), nodeName: "n3"));
        Assert.True(B.Filter(new PodTopologySpread(), Spread("zone", "DoNotSchedule"), snap)["n1"].IsSuccess);
        var r = B.Filter(new PodTopologySpread(), Spread("zone", "DoNotSchedule", minDomains: 3), snap);
        Assert.False(r["n1"].IsSuccess);
        Assert.False(r["n3"].IsSuccess);
    }

    [Fact]
    public void MatchLabelKeys_narrow_the_selector()
    {
        var snap = Zones();
        snap.AddPod(B.Pod("old1", labels: B.L("app", "web", "rev", "1"), nodeName: "n3"));
        snap.AddPod(B.Pod("old2", labels: B.L("app", "web", "rev", "1"), nodeName: "n3"));
        // Without matchLabelKeys z2 has 2 matching pods and is over the skew; counting only rev=2 it is empty.
        Assert.False(B.Filter(new PodTopologySpread(), Spread("zone", "DoNotSchedule"), snap)["n3"].IsSuccess);
        Assert.True(B.Filter(new PodTopologySpread(), Spread("zone", "DoNotSchedule", matchLabelKey: "rev"), snap)["n3"].IsSuccess);
    }

    [Fact]
    public void Node_affinity_policy_honor_excludes_nodes_the_pod_cannot_use()
    {
        var snap = Zones();
        snap.AddPod(B.Pod("w1", labels: B.L("app", "web"), nodeName: "n3"));
        var pod = Spread("zone", "DoNotSchedule");
        pod.Spec.NodeSelector = B.L("zone", "z2");
        // z1 is outside the pod's node selector, so it is not a domain: z2 alone has min 1 and skew 1.
        Assert.True(B.Filter(new PodTopologySpread(), pod, snap)["n3"].IsSuccess);
    }

    [Fact]
    public void Score_hostname_constraint_prefers_emptier_nodes()
    {
        var snap = new Snapshot([B.Node("a"), B.Node("b"), B.Node("c"), B.Node("d")]);
        snap.AddPod(B.Pod("w1", labels: B.L("app", "web"), nodeName: "a"));
        snap.AddPod(B.Pod("w2", labels: B.L("app", "web"), nodeName: "a"));
        snap.AddPod(B.Pod("w3", labels: B.L("app", "web"), nodeName: "b"));
        // weight log(4+2): raw a = round(2*1.79) = 4, b = 2, c = d = 0; normalized 100*(max+min-s)/max.
        var s = B.Score(new PodTopologySpread(), Spread("kubernetes.io/hostname", "ScheduleAnyway"), snap);
        Assert.Equal([0L, 50, 100, 100], new[] { s["a"], s["b"], s["c"], s["d"] });
    }

    [Fact]
    public void Score_zone_constraint_counts_whole_domains_and_ignores_nodes_without_key()
    {
        var snap = Zones();
        snap.AddPod(B.Pod("w1", labels: B.L("app", "web"), nodeName: "n1"));
        snap.AddPod(B.Pod("w2", labels: B.L("app", "web"), nodeName: "n3"));
        snap.AddPod(B.Pod("w3", labels: B.L("app", "web"), nodeName: "n3"));
        // weight log(2+2): z1 = round(1.39) = 1, z2 = round(2.77) = 3 → n1,n2: 100, n3: 100*(3+1-3)/3 = 33.
        var s = B.Score(new PodTopologySpread(), Spread("zone", "ScheduleAnyway"), snap);
        Assert.Equal([100L, 100, 33, 0], new[] { s["n1"], s["n2"], s["n3"], s["nolabel"] });
    }
}
