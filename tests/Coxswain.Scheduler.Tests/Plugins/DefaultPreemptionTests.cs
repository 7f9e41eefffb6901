using Coxswain.Scheduler.Framework;

namespace Coxswain.Scheduler.Tests.Plugins;

public class DefaultPreemptionTests
{
    private static ScheduleResult Run(Snapshot snap, k8s.Models.V1Pod pod) =>
        new SchedulingAlgorithm(Registry.DefaultProfile()).Schedule(pod, snap);

    [Fact]
    public void Minimal_victims_reprieving_the_most_important_first()
    {
        var snap = new Snapshot([B.Node("n", cpu: "3")]);
        snap.AddPod(B.Pod("low", "1", nodeName: "n", priority: 1));
        snap.AddPod(B.Pod("mid", "1", nodeName: "n", priority: 2));
        snap.AddPod(B.Pod("high", "1", nodeName: "n", priority: 50));
        var r = Run(snap, B.Pod("p", "1", priority: 10));
        Assert.NotNull(r.FitError);
        Assert.True(r.PostFilter!.Status.IsSuccess);
        Assert.Equal("n", r.PostFilter.NominatedNodeName);
        Assert.Equal(["low"], r.PostFilter.Victims.Select(v => v.Metadata.Name));
        // The snapshot is untouched by the dry run.
        Assert.Equal(3, snap.Get("n")!.Pods.Count);
    }

    [Fact]
    public void Node_with_lowest_highest_victim_priority_wins()
    {
        var snap = new Snapshot([B.Node("a", cpu: "1"), B.Node("b", cpu: "1"), B.Node("c", cpu: "1")]);
        snap.AddPod(B.Pod("pa", "1", nodeName: "a", priority: 5));
        snap.AddPod(B.Pod("pb", "1", nodeName: "b", priority: 1));
        snap.AddPod(B.Pod("pc", "1", nodeName: "c", priority: 100));
        var r = Run(snap, B.Pod("p", "1", priority: 10));
        Assert.Equal("b", r.PostFilter!.NominatedNodeName);
        Assert.Equal(["pb"], r.PostFilter.Victims.Select(v => v.Metadata.Name));
    }

    [Fact]
    public void Fewer_victims_win_on_equal_priorities()
    {
        var snap = new Snapshot([B.Node("a", cpu: "2"), B.Node("b", cpu: "2")]);
        snap.AddPod(B.Pod("a1", "1", nodeName: "a", priority: 1));
        snap.AddPod(B.Pod("a2", "1", nodeName: "a", priority: 1));
        snap.AddPod(B.Pod("b1", "2", nodeName: "b", priority: 1));
        var r = Run(snap, B.Pod("p", "2", priority: 10));
        Assert.Equal("b", r.PostFilter!.NominatedNodeName);
    }

    [Fact]
    public void Pods_of_equal_or_higher_priority_are_never_victims()
    {
        var snap = new Snapshot([B.Node("a", cpu: "1")]);
        snap.AddPod(B.Pod("same", "1", nodeName: "a", priority: 10));
        var r = Run(snap, B.Pod("p", "1", priority: 10));
        Assert.False(r.PostFilter!.Status.IsSuccess);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..",
            r.FitError!.Message);
    }

    [Fact]
    public void Victims_are_chosen_through_anti_affinity_too()
    {
        var snap = new Snapshot([B.Node("a")]);
        snap.AddPod(B.Pod("web-low", nodeName: "a", labels: B.L("app", "web"), priority: 0));
        var pod = B.Pod("p", priority: 10);
        pod.Spec.Affinity = new k8s.Models.V1Affinity
        {
            PodAntiAffinity = new k8s.Models.V1PodAntiAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution =
                    [new k8s.Models.V1PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = B.Sel("app", "web") }],
            },
        };
        var r = Run(snap, pod);
        Assert.Equal("a", r.PostFilter!.NominatedNodeName);
        Assert.Equal(["web-low"], r.PostFilter.Victims.Select(v => v.Metadata.Name));
    }
}
