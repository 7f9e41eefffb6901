using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;
using static Coxswain.Scheduler.Tests.Integration.ClusterHelpers;

namespace Coxswain.Scheduler.Tests.Integration;

/// <summary>
/// The scheduler inside a real `cox server`: nodes are made by hand (capacity set through nodes/status), pods are
/// created through the API, and the tests poll until the scheduler has acted (generous timeouts, no timing asserts);
/// the helpers are in <see cref="ClusterHelpers"/>.
/// </summary>
public sealed class SchedulerServiceTests
{
    [Fact]
    public async Task PodThatFitsIsBoundWithConditionAndEvent()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        await CreateNodeAsync(c, "node-1");
        await CreatePodAsync(c, Pod("web"));

        var pod = await WaitBoundAsync(c, "web");
        Assert.Equal("node-1", pod.Spec.NodeName);
        Assert.Contains(pod.Status.Conditions, x => x is { Type: "PodScheduled", Status: "True" });
        var ev = await WaitEventAsync(c, "web", "Scheduled");
        Assert.Equal("Normal", ev.Type);
        Assert.Equal("Successfully assigned default/web to node-1", ev.Message);
        Assert.Contains("starting scheduler", server.Output);
    }

    [Fact]
    public async Task CapacityIsRespectedAndANewNodeSchedulesThePendingPod()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        await CreateNodeAsync(c, "node-1");
        await CreateNodeAsync(c, "node-2");
        for (var i = 0; i < 5; i++) await CreatePodAsync(c, Pod($"p{i}", cpu: "500m"));

        // Exactly 4 fit (2 per node); the fifth is reported unschedulable.
        var pending = await WaitForAsync(async () =>
        {
            var pods = (await c.CoreV1.ListNamespacedPodAsync("default")).Items;
            var bound = pods.Where(p => !string.IsNullOrEmpty(p.Spec.NodeName)).ToList();
            var waiting = pods.Where(p => p.Status?.Conditions?.Any(x => x is { Type: "PodScheduled", Status: "False" }) == true).ToList();
            return bound.Count == 4 && waiting.Count == 1 ? new { bound, pending = waiting[0] } : null;
        }, "4 bound and 1 unschedulable");
        Assert.Equal(2, pending.bound.Count(p => p.Spec.NodeName == "node-1"));
        Assert.Equal(2, pending.bound.Count(p => p.Spec.NodeName == "node-2"));
        var cond = pending.pending.Status.Conditions.Single(x => x.Type == "PodScheduled");
        Assert.Equal("Unschedulable", cond.Reason);
        Assert.StartsWith("0/2 nodes are available: 2 Insufficient cpu. preemption: ", cond.Message);
        var ev = await WaitEventAsync(c, pending.pending.Metadata.Name, "FailedScheduling");
        Assert.Equal("Warning", ev.Type);
        Assert.Equal(cond.Message, ev.Message);

        // A third node: the parked pod goes back to the active queue and binds there, without a restart.
        await CreateNodeAsync(c, "node-3");
        var pod = await WaitBoundAsync(c, pending.pending.Metadata.Name);
        Assert.Equal("node-3", pod.Spec.NodeName);
    }

    [Fact]
    public async Task OtherSchedulersPodsAreLeftAlone()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        await CreateNodeAsync(c, "node-1");
        await CreatePodAsync(c, Pod("mine-not", schedulerName: "other-scheduler"));
        await CreatePodAsync(c, Pod("mine"));
        await WaitBoundAsync(c, "mine");   // the scheduler is running and has seen both by now
        await Task.Delay(2000);
        var other = await c.CoreV1.ReadNamespacedPodAsync("mine-not", "default");
        Assert.True(string.IsNullOrEmpty(other.Spec.NodeName));
        Assert.DoesNotContain(other.Status?.Conditions ?? [], x => x.Type == "PodScheduled");
    }

    [Fact]
    public async Task TaintsAndTolerations()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        await CreateNodeAsync(c, "gpu-1", taints: [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]);
        await CreatePodAsync(c, Pod("plain"));
        await CreatePodAsync(c, Pod("tolerant", tolerations: [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "gpu", Effect = "NoSchedule" }]));

        Assert.Equal("gpu-1", (await WaitBoundAsync(c, "tolerant")).Spec.NodeName);
        var cond = await WaitUnschedulableAsync(c, "plain");
        Assert.StartsWith("0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}.", cond.Message);
    }

    [Fact]
    public async Task NodeSelector()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        await CreateNodeAsync(c, "hdd-1", labels: new Dictionary<string, string> { ["disk"] = "hdd" });
        await CreateNodeAsync(c, "ssd-1", labels: new Dictionary<string, string> { ["disk"] = "ssd" });
        await CreatePodAsync(c, Pod("wants-ssd", nodeSelector: new Dictionary<string, string> { ["disk"] = "ssd" }));
        await CreatePodAsync(c, Pod("wants-nvme", nodeSelector: new Dictionary<string, string> { ["disk"] = "nvme" }));

        Assert.Equal("ssd-1", (await WaitBoundAsync(c, "wants-ssd")).Spec.NodeName);
        var cond = await WaitUnschedulableAsync(c, "wants-nvme");
        Assert.StartsWith("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.", cond.Message);

        // Labelling a node is a cluster change that may help: the pod is retried and binds.
        var node = await c.CoreV1.ReadNodeAsync("hdd-1");
        node.Metadata.Labels["disk"] = "nvme";
        await c.CoreV1.ReplaceNodeAsync(node, "hdd-1");
        Assert.Equal("hdd-1", (await WaitBoundAsync(c, "wants-nvme")).Spec.NodeName);
    }

    [Fact]
    public async Task HigherPriorityPodPreemptsALowerOne()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        await CreateNodeAsync(c, "node-1");
        var low = Pod("low", cpu: "1");
        low.Spec.TerminationGracePeriodSeconds = 0;   // no kubelet here to finish a graceful deletion
        await CreatePodAsync(c, low);
        await WaitBoundAsync(c, "low");
        await c.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "high" }, Value = 1000 });
        var high = Pod("high", cpu: "1");
        high.Spec.PriorityClassName = "high";
        await CreatePodAsync(c, high);

        Assert.Equal("node-1", (await WaitBoundAsync(c, "high")).Spec.NodeName);
        var pods = (await c.CoreV1.ListNamespacedPodAsync("default")).Items;
        Assert.DoesNotContain(pods, p => p.Metadata.Name == "low");
    }

    [Fact]
    public async Task NoSchedulerLeavesPodsPending()
    {
        await using var server = await CoxServer.StartAsync(extraArgs: "--no-scheduler");
        using var c = server.Client();
        await CreateNodeAsync(c, "node-1");
        await CreatePodAsync(c, Pod("web"));
        await Task.Delay(3000);
        var pod = await c.CoreV1.ReadNamespacedPodAsync("web", "default");
        Assert.True(string.IsNullOrEmpty(pod.Spec.NodeName));
        Assert.DoesNotContain("starting scheduler", server.Output);
    }
}
