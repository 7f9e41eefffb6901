using Coxswain.Kubelet.Node;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Node;

public sealed class NodeStatusBuilderTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static RuntimeFacts Runtime(params RuntimeImage[] images) => new("containerd", "1.6.20~ds1",
        [new RuntimeCondition("RuntimeReady", true), new RuntimeCondition("NetworkReady", true)], images);

    private static Dictionary<string, string> Strings(IDictionary<string, ResourceQuantity> list) =>
        list.ToDictionary(kv => kv.Key, kv => kv.Value.ToString());

    [Fact]
    public void CapacityIsTheMachineAndAllocatableHoldsBackHardEvictionAndReserved()
    {
        var options = new NodeAgentOptions { Reserved = new Dictionary<string, string> { ["cpu"] = "500m", ["memory"] = "1Gi" } };

        var status = NodeStatusBuilder.Status("box", options, FakeMachine.Default, Runtime(), runtimeDown: false, previous: null, T0);

        Assert.Equal(new Dictionary<string, string>
        {
            ["cpu"] = "4",
            ["memory"] = "8Gi",
            ["pods"] = "110",
            ["ephemeral-storage"] = "100Gi",
            ["hugepages-1Gi"] = "0",
            ["hugepages-2Mi"] = "0",
        }, Strings(status.Capacity));
        var allocatable = Strings(status.Allocatable);
        Assert.Equal("3500m", allocatable["cpu"]);
        Assert.Equal((8L * 1024 - 1024 - 100) + "Mi", allocatable["memory"]); // minus reserved 1Gi and memory.available 100Mi
        Assert.Equal("90Gi", allocatable["ephemeral-storage"]); // minus nodefs.available 10% of 100Gi
        Assert.Equal("110", allocatable["pods"]);
    }

    [Fact]
    public void AddressesNodeInfoAndEndpointDescribeTheMachineAndRuntime()
    {
        var status = NodeStatusBuilder.Status("box", new NodeAgentOptions { KubeletPort = 10260 }, FakeMachine.Default, Runtime(), false, null, T0);

        Assert.Equal(["InternalIP=192.0.2.7", "Hostname=box"], status.Addresses.Select(a => $"{a.Type}={a.Address}"));
        var info = status.NodeInfo;
        Assert.Equal(("machine-1", "uuid-1", "boot-1"), (info.MachineID, info.SystemUUID, info.BootID));
        Assert.Equal(("6.1.0-test", "Debian GNU/Linux 12 (bookworm)"), (info.KernelVersion, info.OsImage));
        Assert.Equal("containerd://1.6.20~ds1", info.ContainerRuntimeVersion);
        Assert.Equal(("v1.32.0", "v1.32.0"), (info.KubeletVersion, info.KubeProxyVersion));
        Assert.Equal(("linux", "amd64"), (info.OperatingSystem, info.Architecture));
        Assert.Equal(10260, status.DaemonEndpoints.KubeletEndpoint.Port);
    }

    [Fact]
    public void TheNodeIpOptionWinsAndLoopbackIsTheLastResort()
    {
        var withOption = NodeStatusBuilder.Status("box", new NodeAgentOptions { NodeIp = "10.1.2.3" }, FakeMachine.Default, Runtime(), false, null, T0);
        var noInterface = NodeStatusBuilder.Status("box", new NodeAgentOptions(), FakeMachine.Default with { DefaultIPv4 = null }, Runtime(), false, null, T0);

        Assert.Equal("10.1.2.3", withOption.Addresses[0].Address);
        Assert.Equal("127.0.0.1", noInterface.Addresses[0].Address);
    }

    [Fact]
    public void ImagesAreLargestFirstNamedByDigestsThenTags()
    {
        var small = new RuntimeImage(["docker.io/library/pause:3.6"], ["docker.io/library/pause@sha256:aa"], 300_000);
        var big = new RuntimeImage(["docker.io/library/busybox:latest", "docker.io/library/busybox:1.35"], ["docker.io/library/busybox@sha256:bb"], 2_000_000);
        var many = new RuntimeImage(Enumerable.Range(0, 8).Select(i => $"example/many:{i}").ToList(), [], 1_000_000);
        var unnamed = new RuntimeImage([], [], 9_000_000);

        var images = NodeStatusBuilder.Images([small, big, many, unnamed]);

        Assert.Equal(3, images.Count);
        Assert.Equal(["docker.io/library/busybox@sha256:bb", "docker.io/library/busybox:latest", "docker.io/library/busybox:1.35"], images[0].Names);
        Assert.Equal(2_000_000, images[0].SizeBytes);
        Assert.Equal(5, images[1].Names.Count);
        Assert.Equal(["docker.io/library/pause@sha256:aa", "docker.io/library/pause:3.6"], images[2].Names);
    }

    [Fact]
    public void TheInitialNodeCarriesOptionLabelsAndTheKubeletsOwn()
    {
        var options = new NodeAgentOptions { Labels = new Dictionary<string, string> { ["zone"] = "a", ["kubernetes.io/os"] = "plan9" } };

        var node = NodeStatusBuilder.InitialNode("box", options, FakeMachine.Default, Runtime(), false, T0);

        Assert.Equal("box", node.Metadata.Name);
        Assert.Equal("a", node.Metadata.Labels["zone"]);
        Assert.Equal("box", node.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("linux", node.Metadata.Labels["kubernetes.io/os"]); // the kubelet's own labels are not for options to override
        Assert.Equal("amd64", node.Metadata.Labels["kubernetes.io/arch"]);
        Assert.Equal("amd64", node.Metadata.Labels["beta.kubernetes.io/arch"]);
        Assert.Equal("True", node.Status.Conditions.Single(c => c.Type == "Ready").Status);
    }
}
