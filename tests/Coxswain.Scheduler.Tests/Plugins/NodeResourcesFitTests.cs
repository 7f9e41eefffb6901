using Coxswain.Scheduler.Framework;
using Coxswain.Scheduler.Plugins;
using k8s.Models;

namespace Coxswain.Scheduler.Tests.Plugins;

public class NodeResourcesFitTests
{
    [Theory]
    // cpu, memory requested by the pod; existing pod's cpu, memory on a 4-cpu/8Gi node; expected reasons
    [InlineData("1", "1Gi", "2", "2Gi", "")]
    [InlineData("3", "1Gi", "2", "2Gi", "Insufficient cpu")]
    [InlineData("1", "7Gi", "2", "2Gi", "Insufficient memory")]
    [InlineData("3", "7Gi", "2", "2Gi", "Insufficient cpu|Insufficient memory")]
    [InlineData("2", "6Gi", "2", "2Gi", "")]
    public void Filter_reports_each_insufficient_resource(string cpu, string mem, string usedCpu, string usedMem, string expected)
    {
        var snap = new Snapshot([B.Node("n1", cpu: "4", memory: "8Gi")]);
        snap.AddPod(B.Pod("existing", usedCpu, usedMem, nodeName: "n1"));
        var s = B.Filter(new NodeResourcesFit(), B.Pod("p", cpu, mem), snap)["n1"];
        Assert.Equal(expected, string.Join("|", s.Reasons));
        if (expected != "") Assert.Equal(Code.Unschedulable, s.Code);
    }

    [Fact]
    public void Filter_counts_pods_and_extended_resources()
    {
        var snap = new Snapshot([B.Node("n1", pods: 1, extra: new() { ["example.com/gpu"] = "1" })]);
        snap.AddPod(B.Pod("existing", nodeName: "n1"));
        var s = B.Filter(new NodeResourcesFit(), B.Pod("p", extra: new() { ["example.com/gpu"] = "2", ["example.com/fpga"] = "1" }), snap)["n1"];
        Assert.Equal(["Too many pods", "Insufficient example.com/fpga", "Insufficient example.com/gpu"], s.Reasons);
    }

    [Fact]
    public void Requests_take_max_of_init_containers_and_add_sidecars_and_overhead()
    {
        var pod = B.Pod("p", cpu: "1", memory: "1Gi");
        pod.Spec.InitContainers =
        [
            new V1Container { Name = "init", Resources = new() { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("3") } } },
            new V1Container { Name = "sidecar", RestartPolicy = "Always", Resources = new() { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("1Gi") } } },
            new V1Container { Name = "init2", Resources = new() { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2"), ["memory"] = new("3Gi") } } },
        ];
        pod.Spec.Overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") };
        var r = PodRequests.Compute(pod, nonZero: false);
        // cpu: max(app 1 + sidecar 0.5 = 1.5, init 3, init2 2 + sidecar 0.5 = 2.5) = 3, + overhead 0.1
        Assert.Equal(3100, r.MilliCpu);
        // memory: max(app 1Gi + sidecar 1Gi, init2 3Gi + sidecar 1Gi) = 4Gi
        Assert.Equal(4L << 30, r.Memory);
    }

    [Fact]
    public void NonZero_requests_default_missing_cpu_and_memory()
    {
        var r = PodRequests.Compute(B.Pod("p"), nonZero: true);
        Assert.Equal(100, r.MilliCpu);
        Assert.Equal(200L * 1024 * 1024, r.Memory);
    }

    [Fact]
    public void LeastAllocated_matches_upstream_differently_sized_nodes()
    {
        // upstream least_allocated_test: node1 4000m/10000, node2 6000m/10000, pod 3000m/5000 → 37, 50.
        var snap = new Snapshot([B.Node("node1", cpu: "4", memory: "10000"), B.Node("node2", cpu: "6", memory: "10000")]);
        var scores = B.Score(new NodeResourcesFit(), B.Pod("p", "3", "5000"), snap);
        Assert.Equal(37, scores["node1"]);
        Assert.Equal(50, scores["node2"]);
    }

    [Fact]
    public void BalancedAllocation_matches_upstream_differently_sized_nodes()
    {
        // node1: cpu 0.75, memory 0.5 → std 0.125 → 87; node2: 0.5, 0.5 → 100.
        var snap = new Snapshot([B.Node("node1", cpu: "4", memory: "10000"), B.Node("node2", cpu: "6", memory: "10000")]);
        var scores = B.Score(new NodeResourcesBalancedAllocation(), B.Pod("p", "3", "5000"), snap);
        Assert.Equal(87, scores["node1"]);
        Assert.Equal(100, scores["node2"]);
    }

    [Fact]
    public void LeastAllocated_counts_existing_pods_non_zero_requests()
    {
        var snap = new Snapshot([B.Node("n1", cpu: "1", memory: "1000Mi")]);
        snap.AddPod(B.Pod("besteffort", nodeName: "n1")); // counts as 100m / 200Mi when scoring
        var scores = B.Score(new NodeResourcesFit(), B.Pod("p", "400m", "300Mi"), snap);
        // cpu (1000-500)*100/1000 = 50, memory (1000-500)*100/1000 = 50
        Assert.Equal(50, scores["n1"]);
    }
}
