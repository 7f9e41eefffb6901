using Coxswain.Kubelet.Node;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Node;

public sealed class NodeConditionsTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime T1 = T0.AddSeconds(10);
    private static readonly DateTime T2 = T0.AddSeconds(20);

    private static RuntimeFacts Runtime(bool runtimeReady = true, bool networkReady = true) => new("containerd", "1.6.20~ds1",
    [
        new RuntimeCondition("RuntimeReady", runtimeReady, runtimeReady ? "" : "RuntimeBroken", runtimeReady ? "" : "shim failed"),
        new RuntimeCondition("NetworkReady", networkReady, networkReady ? "" : "NetworkPluginNotReady", networkReady ? "" : "Network plugin returns error: cni plugin not initialized"),
    ], []);

    private static V1NodeStatus Status(MachineFacts machine, RuntimeFacts? runtime, bool down, IList<V1NodeCondition>? previous, DateTime now) =>
        NodeStatusBuilder.Status("box", new NodeAgentOptions(), machine, runtime, down, previous, now);

    private static V1NodeCondition Get(V1NodeStatus s, string type) => s.Conditions.Single(c => c.Type == type);

    [Fact]
    public void AHealthyNodeIsReadyWithoutPressureInUpstreamsOrderAndWords()
    {
        var status = Status(FakeMachine.Default, Runtime(), false, null, T0);

        Assert.Equal(["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"], status.Conditions.Select(c => c.Type));
        Assert.Equal(["False", "False", "False", "True"], status.Conditions.Select(c => c.Status));
        Assert.Equal(["KubeletHasSufficientMemory", "KubeletHasNoDiskPressure", "KubeletHasSufficientPID", "KubeletReady"], status.Conditions.Select(c => c.Reason));
        Assert.Equal("kubelet is posting ready status", Get(status, "Ready").Message);
        Assert.All(status.Conditions, c => Assert.Equal((T0, T0), (c.LastHeartbeatTime, c.LastTransitionTime)));
    }

    [Fact]
    public void NetworkNotReadyMakesTheNodeNotReadyQuotingTheRuntime()
    {
        var ready = Get(Status(FakeMachine.Default, Runtime(networkReady: false), false, null, T0), "Ready");

        Assert.Equal(("False", "KubeletNotReady"), (ready.Status, ready.Reason));
        Assert.Equal("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized", ready.Message);
    }

    [Fact]
    public void RuntimeErrorsComeBeforeNetworkErrorsJoinedByCommas()
    {
        var ready = Get(Status(FakeMachine.Default, Runtime(runtimeReady: false, networkReady: false), false, null, T0), "Ready");

        Assert.Equal("container runtime not ready: RuntimeReady=false reason:RuntimeBroken message:shim failed,"
            + "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized", ready.Message);
    }

    [Fact]
    public void ARuntimeThatDoesNotAnswerIsDownAndOneNeverAskedIsNotCheckedYet()
    {
        Assert.Equal("container runtime is down", Get(Status(FakeMachine.Default, Runtime(), down: true, null, T0), "Ready").Message);
        Assert.Equal("container runtime status check may not have completed yet", Get(Status(FakeMachine.Default, null, false, null, T0), "Ready").Message);
        Assert.Equal("False", Get(Status(FakeMachine.Default, null, false, null, T0), "Ready").Status);
    }

    [Fact]
    public void TransitionTimesMoveOnlyWhenAStatusFlips()
    {
        var first = Status(FakeMachine.Default, Runtime(networkReady: false), false, null, T0);
        var same = Status(FakeMachine.Default, Runtime(networkReady: false), false, first.Conditions, T1);
        var flipped = Status(FakeMachine.Default, Runtime(), false, same.Conditions, T2);

        Assert.All(same.Conditions, c => Assert.Equal((T1, T0), (c.LastHeartbeatTime, c.LastTransitionTime)));
        Assert.Equal((T2, T2), (Get(flipped, "Ready").LastHeartbeatTime, Get(flipped, "Ready").LastTransitionTime));
        Assert.Equal(T0, Get(flipped, "MemoryPressure").LastTransitionTime);
        // After the node lifecycle controller marked the node Unknown, the kubelet's next status is a transition.
        var unknown = flipped.Conditions.Select(c => new V1NodeCondition { Type = c.Type, Status = "Unknown", LastTransitionTime = T2 }).ToList();
        var back = Status(FakeMachine.Default, Runtime(), false, unknown, T2.AddSeconds(60));
        Assert.All(back.Conditions, c => Assert.Equal(T2.AddSeconds(60), c.LastTransitionTime));
    }

    [Fact]
    public void ConditionsOwnedByOthersAreCarriedOver()
    {
        var others = new List<V1NodeCondition> { new() { Type = "NetworkUnavailable", Status = "False", Reason = "RouteCreated", LastTransitionTime = T0 } };

        var status = Status(FakeMachine.Default, Runtime(), false, others, T1);

        Assert.Equal("RouteCreated", status.Conditions.Last().Reason);
        Assert.Equal(5, status.Conditions.Count);
    }

    [Fact]
    public void PressureFollowsUpstreamsDefaultHardEvictionThresholds()
    {
        const long Mi = 1024 * 1024;
        var machine = FakeMachine.Default;
        var fs = machine.Filesystem;
        var lowMemory = machine with { MemoryAvailableBytes = 99 * Mi };
        var enoughMemory = machine with { MemoryAvailableBytes = 101 * Mi };
        var lowDisk = machine with { Filesystem = fs with { AvailableBytes = fs.CapacityBytes * 14 / 100 } }; // imagefs.available < 15%
        var lowInodes = machine with { Filesystem = fs with { InodesFree = fs.Inodes * 4 / 100 } };
        var fewPids = machine with { PidsAvailable = 10 };

        Assert.Equal("True", Get(Status(lowMemory, Runtime(), false, null, T0), "MemoryPressure").Status);
        Assert.Equal("KubeletHasInsufficientMemory", Get(Status(lowMemory, Runtime(), false, null, T0), "MemoryPressure").Reason);
        Assert.Equal("False", Get(Status(enoughMemory, Runtime(), false, null, T0), "MemoryPressure").Status);
        Assert.Equal("True", Get(Status(lowDisk, Runtime(), false, null, T0), "DiskPressure").Status);
        Assert.Equal("True", Get(Status(lowInodes, Runtime(), false, null, T0), "DiskPressure").Status);
        // No pid.available threshold by default; with one, PIDPressure follows it.
        Assert.Equal("False", Get(Status(fewPids, Runtime(), false, null, T0), "PIDPressure").Status);
        var strict = new NodeAgentOptions { Eviction = EvictionThresholds.Default with { PidAvailable = Threshold.Bytes(100) } };
        var pid = NodeStatusBuilder.Status("box", strict, fewPids, Runtime(), false, null, T0);
        Assert.Equal(("True", "KubeletHasInsufficientPID"), (Get(pid, "PIDPressure").Status, Get(pid, "PIDPressure").Reason));
        // Pressure does not make the node NotReady.
        Assert.Equal("True", Get(Status(lowMemory, Runtime(), false, null, T0), "Ready").Status);
    }
}
