using Coxswain.Kubelet.Node;
using Coxswain.Kubelet.Pods;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Pods;

/// <summary>--eviction-hard parsing, the eviction order and upstream's eviction message.</summary>
public sealed class EvictionTests
{
    private const long Mi = 1024 * 1024;

    [Fact]
    public void AGivenEvictionHardReplacesTheDefaults()
    {
        var t = EvictionThresholds.Parse("memory.available<1Gi, nodefs.available<20%");
        Assert.Equal(1024 * Mi, t.MemoryAvailable!.Of(0));
        Assert.Equal("1Gi", t.MemoryAvailable.Text);
        Assert.Equal(200, t.NodefsAvailable!.Of(1000));
        Assert.Null(t.ImagefsAvailable);
        Assert.Null(t.NodefsInodesFree);
        Assert.Equal(100 * Mi, EvictionThresholds.Default.MemoryAvailable!.Of(0));
        Assert.Equal(7, EvictionThresholds.Parse("memory.available<10%").MemoryAvailable!.Of(70));
        Assert.Null(EvictionThresholds.Parse("").MemoryAvailable);
    }

    [Theory]
    [InlineData("memory.available>1Gi", "expected SIGNAL<QUANTITY")]
    [InlineData("memory.free<1Gi", "unsupported eviction signal memory.free")]
    [InlineData("nodefs.available<0%", "invalid percentage")]
    [InlineData("memory.available<lots", "invalid quantity for memory.available: lots")]
    [InlineData("pid.available<10%", "pid.available takes a number of pids")]
    public void BadThresholdsAreRefusedWithAReason(string spec, string error)
    {
        Assert.Contains(error, Assert.Throws<FormatException>(() => EvictionThresholds.Parse(spec)).Message);
    }

    [Fact]
    public void PressureFollowsTheGivenThresholds()
    {
        var machine = new MachineFacts { Cpus = 2, MemoryBytes = 1000 * Mi, MemoryAvailableBytes = 300 * Mi, Filesystem = new FilesystemStats(1000, 150, 100, 50) };
        Assert.True(EvictionThresholds.Parse("memory.available<40%").MemoryPressure(machine));
        Assert.False(EvictionThresholds.Parse("memory.available<200Mi").MemoryPressure(machine));
        Assert.True(EvictionThresholds.Parse("nodefs.available<20%").DiskPressure(machine));
        Assert.False(EvictionThresholds.Parse("memory.available<200Mi").DiskPressure(machine));
    }

    private static PodUsage Usage(string name, long usedMi, long requestMi = 0, int priority = 0)
    {
        var container = new V1Container { Name = name, Image = "busybox" };
        if (requestMi > 0)
        {
            container.Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["memory"] = new($"{requestMi}Mi") } };
        }
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Uid = name },
            Spec = new V1PodSpec { Priority = priority, Containers = [container] },
        };
        return new PodUsage(pod, new Dictionary<string, long> { [name] = usedMi * Mi });
    }

    [Fact]
    public void PodsOverTheirRequestGoFirstThenLowPriorityThenTheLargestExcess()
    {
        var ranked = EvictionManager.Rank(
        [
            Usage("within-request", usedMi: 50, requestMi: 64),
            Usage("small-excess", usedMi: 10),
            Usage("big-excess", usedMi: 300, requestMi: 100),
            Usage("important", usedMi: 500, priority: 1000),
            Usage("within-low-priority", usedMi: 1, requestMi: 64, priority: -10),
        ], "memory");

        Assert.Equal(["big-excess", "small-excess", "important", "within-low-priority", "within-request"], ranked.Select(p => p.Pod.Metadata.Name));
    }

    [Fact]
    public void TheMessageNamesTheResourceTheThresholdAndTheContainersOverTheirRequest()
    {
        var victim = Usage("hog", usedMi: 300, requestMi: 100);
        Assert.Equal("The node was low on resource: memory. Threshold quantity: 1Gi, available: 512Mi. Container hog was using 300Mi, request is 100Mi, has larger consumption of memory. ",
            EvictionManager.Message(victim, "memory", "1Gi", "512Mi"));
        Assert.Equal("The node was low on resource: memory. Threshold quantity: 1Gi, available: 512Mi. ",
            EvictionManager.Message(Usage("modest", usedMi: 10, requestMi: 64), "memory", "1Gi", "512Mi"));
    }
}
