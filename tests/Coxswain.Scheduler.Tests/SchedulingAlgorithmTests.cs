using Coxswain.Scheduler.Framework;
using k8s.Models;

namespace Coxswain.Scheduler.Tests;

public class SchedulingAlgorithmTests
{
    [Theory]
    [InlineData(0, 50, 50)]
    [InlineData(0, 100, 100)]
    [InlineData(0, 150, 100)]    // 49% of 150 = 73 → at least 100
    [InlineData(0, 1000, 420)]   // 50 - 1000/125 = 42%
    [InlineData(0, 5000, 500)]   // 10%
    [InlineData(0, 6500, 325)]   // 50 - 52 < 5 → 5%
    [InlineData(30, 1000, 300)]
    [InlineData(100, 5000, 5000)]
    public void NumFeasibleNodesToFind_matches_upstream(int percentage, int nodes, int expected) =>
        Assert.Equal(expected, SchedulingAlgorithm.NumFeasibleNodesToFind(percentage, nodes));

    [Theory]
    [InlineData(0, 420)]
    [InlineData(100, 1000)]
    public void Filtering_stops_after_enough_feasible_nodes(int percentage, int expectedFeasible)
    {
        var snap = new Snapshot(Enumerable.Range(0, 1000).Select(i => B.Node($"n{i}")));
        var alg = new SchedulingAlgorithm(Registry.DefaultProfile(percentage), new Random(1));
        var r = alg.Schedule(B.Pod("p", "100m", "100Mi"), snap);
        Assert.NotNull(r.SuggestedHost);
        Assert.Equal(expectedFeasible, r.FeasibleNodes);
    }

    [Fact]
    public void Picks_the_least_allocated_node()
    {
        var snap = new Snapshot([B.Node("busy"), B.Node("idle"), B.Node("half")]);
        snap.AddPod(B.Pod("x", "3", "24Gi", nodeName: "busy"));
        snap.AddPod(B.Pod("y", "2", "16Gi", nodeName: "half"));
        var r = new SchedulingAlgorithm(Registry.DefaultProfile()).Schedule(B.Pod("p", "500m", "1Gi"), snap);
        Assert.Equal("idle", r.SuggestedHost);
        Assert.Null(r.FitError);
    }

    [Fact]
    public void Ties_are_broken_at_random()
    {
        var snap = new Snapshot([B.Node("a"), B.Node("b"), B.Node("c")]);
        var alg = new SchedulingAlgorithm(Registry.DefaultProfile(), new Random(7));
        var chosen = new HashSet<string>();
        for (var i = 0; i < 60; i++) chosen.Add(alg.Schedule(B.Pod("p", "1", "1Gi"), snap).SuggestedHost!);
        Assert.Equal(3, chosen.Count);
    }

    [Fact]
    public void Assumed_pods_change_the_next_decision()
    {
        var snap = new Snapshot([B.Node("a", cpu: "2"), B.Node("b", cpu: "2")]);
        var alg = new SchedulingAlgorithm(Registry.DefaultProfile());
        var first = alg.Schedule(B.Pod("p1", "1500m", "1Gi"), snap);
        snap.AddPod(first.PodInfo, first.SuggestedHost);
        var second = alg.Schedule(B.Pod("p2", "1500m", "1Gi"), snap);
        Assert.NotEqual(first.SuggestedHost, second.SuggestedHost);
        snap.AddPod(second.PodInfo, second.SuggestedHost);
        Assert.NotNull(alg.Schedule(B.Pod("p3", "1500m", "1Gi"), snap).FitError);
    }

    [Fact]
    public void FitError_message_histogram_sorted_with_preemption_part()
    {
        var cp = new V1Taint { Key = "node-role.kubernetes.io/control-plane", Effect = "NoSchedule" };
        var snap = new Snapshot([B.Node("cp", taints: [cp]), B.Node("w1", cpu: "1"), B.Node("w2", cpu: "1")]);
        var r = new SchedulingAlgorithm(Registry.DefaultProfile()).Schedule(B.Pod("p", "2"), snap);
        Assert.Null(r.SuggestedHost);
        // Upstream appends " %v." to the PostFilter message, which itself ends in "." — hence "..".
        // v1.32: nodes that are merely full are preemption candidates; without lower-priority pods they have no victims.
        Assert.Equal(
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. "
            + "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..",
            r.FitError!.Message);
        Assert.Equal(["NodeResourcesFit", "TaintToleration"], r.FitError.Diagnosis.UnschedulablePlugins.Order());
    }

    [Fact]
    public void FitError_when_preemption_cannot_help_anywhere()
    {
        var snap = new Snapshot([B.Node("a", unschedulable: true), B.Node("b", labels: B.L("x", "y"))]);
        var pod = B.Pod("p");
        pod.Spec.NodeSelector = B.L("x", "z");
        var r = new SchedulingAlgorithm(Registry.DefaultProfile()).Schedule(pod, snap);
        Assert.Equal(
            "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable. "
            + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..",
            r.FitError!.Message);
    }

    [Fact]
    public void FitError_for_nodes_excluded_by_a_prefilter_result()
    {
        var snap = new Snapshot([B.Node("a", cpu: "1"), B.Node("b")]);
        var pod = B.Pod("p", "2");
        pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchFields = [B.Req("metadata.name", "In", "a")] }],
                },
            },
        };
        var r = new SchedulingAlgorithm(Registry.DefaultProfile()).Schedule(pod, snap);
        Assert.StartsWith("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) [NodeAffinity].", r.FitError!.Message);
    }

    [Fact]
    public void No_nodes_gives_zero_of_zero()
    {
        var r = new SchedulingAlgorithm(Registry.DefaultProfile()).Schedule(B.Pod("p"), new Snapshot());
        Assert.StartsWith("0/0 nodes are available", r.FitError!.Message);
    }

    [Fact]
    public void PreemptionPolicy_never_is_reported()
    {
        var snap = new Snapshot([B.Node("a", cpu: "1")]);
        snap.AddPod(B.Pod("low", "1", nodeName: "a", priority: -5));
        var pod = B.Pod("p", "1", priority: 100);
        pod.Spec.PreemptionPolicy = "Never";
        var r = new SchedulingAlgorithm(Registry.DefaultProfile()).Schedule(pod, snap);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never..", r.FitError!.Message);
    }
}
