using Coxswain.Controllers.NodeLifecycle;
using k8s.Models;

namespace Coxswain.Controllers.Tests.NodeLifecycle;

public sealed class TaintsTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly V1Taint Unreachable = new() { Key = Taints.Unreachable, Effect = "NoExecute", TimeAdded = Now };

    private static V1Pod Pod(params V1Toleration[] tolerations) => new() { Spec = new V1PodSpec { Tolerations = tolerations } };

    [Fact]
    public void ReadyStatusSelectsTaints()
    {
        Assert.Empty(Taints.ForReady("True"));
        Assert.Contains((Taints.Unreachable, "NoExecute"), Taints.ForReady("Unknown"));
        Assert.Contains((Taints.NotReady, "NoExecute"), Taints.ForReady("False"));
    }

    [Fact]
    public void TrueConditionsAndACordonKeepSchedulingOff()
    {
        var node = new V1Node
        {
            Spec = new V1NodeSpec { Unschedulable = true },
            Status = new V1NodeStatus
            {
                Conditions =
                [
                    new V1NodeCondition { Type = "Ready", Status = "True" },
                    new V1NodeCondition { Type = "MemoryPressure", Status = "True" },
                    new V1NodeCondition { Type = "DiskPressure", Status = "False" },
                    new V1NodeCondition { Type = "PIDPressure", Status = "Unknown" },
                ],
            },
        };
        Assert.Equal([("node.kubernetes.io/memory-pressure", "NoSchedule"), (Taints.Unschedulable, "NoSchedule")], Taints.ForNode(node));
        Assert.True(Taints.Owned(new V1Taint { Key = "node.kubernetes.io/disk-pressure", Effect = "NoSchedule" }));
        Assert.False(Taints.Owned(new V1Taint { Key = "example.com/dedicated", Effect = "NoSchedule" }));
    }

    [Fact]
    public void UntoleratedPodIsEvictedAtOnce() =>
        Assert.Equal(Now, Taints.EvictAt(Pod(), [Unreachable], Now));

    [Fact]
    public void TolerationSecondsDelayEvictionFromTimeAdded() =>
        Assert.Equal(Now.AddSeconds(2), Taints.EvictAt(Pod(new V1Toleration { Key = Taints.Unreachable, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 2 }), [Unreachable], Now.AddSeconds(1)));

    [Fact]
    public void TolerationWithoutSecondsStaysForever() =>
        Assert.Null(Taints.EvictAt(Pod(new V1Toleration { OperatorProperty = "Exists" }), [Unreachable], Now));

    [Fact]
    public void TolerationForAnotherKeyDoesNotMatch() =>
        Assert.Equal(Now, Taints.EvictAt(Pod(new V1Toleration { Key = Taints.NotReady, OperatorProperty = "Exists", Effect = "NoExecute" }), [Unreachable], Now));
}
