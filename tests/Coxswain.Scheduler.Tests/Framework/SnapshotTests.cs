using Coxswain.Scheduler.Framework;

namespace Coxswain.Scheduler.Tests.Framework;

public class SnapshotTests
{
    [Fact]
    public void Adding_a_pod_again_replaces_it_and_removal_finds_its_node()
    {
        var snap = new Snapshot([B.Node("a"), B.Node("b")]);
        var pod = B.Pod("p", "1", "1Gi");
        snap.AddPod(pod, "a");            // assumed
        snap.AddPod(pod, "a");            // then seen bound by the informer
        Assert.Single(snap.Get("a")!.Pods);
        Assert.Equal(1000, snap.Get("a")!.Requested.MilliCpu);
        snap.AddPod(pod, "b");            // moved (e.g. forgotten, rescheduled)
        Assert.Empty(snap.Get("a")!.Pods);
        Assert.True(snap.RemovePod(pod)); // no nodeName needed
        Assert.Empty(snap.Get("b")!.Pods);
        Assert.Equal(0, snap.Get("b")!.Requested.MilliCpu);
    }

    [Fact]
    public void Node_lists_with_affinity_follow_pod_changes()
    {
        var snap = new Snapshot([B.Node("a"), B.Node("b")]);
        Assert.Empty(snap.HavePodsWithRequiredAntiAffinity);
        var pod = B.Pod("anti", nodeName: "b");
        pod.Spec.Affinity = new k8s.Models.V1Affinity
        {
            PodAntiAffinity = new k8s.Models.V1PodAntiAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = [new k8s.Models.V1PodAffinityTerm { TopologyKey = "zone", LabelSelector = B.Sel("x", "y") }],
            },
        };
        snap.AddPod(pod);
        Assert.Equal(["b"], snap.HavePodsWithRequiredAntiAffinity.Select(n => n.Name));
        Assert.Equal(["b"], snap.HavePodsWithAffinity.Select(n => n.Name));
        snap.RemovePod(pod);
        Assert.Empty(snap.HavePodsWithRequiredAntiAffinity);
    }

    [Fact]
    public void Allocatable_quantities_are_parsed_like_upstream()
    {
        var snap = new Snapshot([B.Node("a", cpu: "1500m", memory: "1Gi", pods: 7)]);
        var n = snap.Get("a")!;
        Assert.Equal(1500, n.Allocatable.MilliCpu);
        Assert.Equal(1L << 30, n.Allocatable.Memory);
        Assert.Equal(7, n.Allocatable.AllowedPodNumber);
    }
}
