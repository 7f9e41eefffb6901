using System.Text.Json.Nodes;
using Coxswain.Kubelet.Node;

namespace Coxswain.Kubelet.Tests.Node;

public sealed class CniConfigTests
{
    [Fact]
    public void TheConflistBridgesPodsOnTheNodesPodCidrWithPortmap()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cox-cni-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var path = CniConfig.Write(Path.Combine(dir, "net.d"), Path.Combine(dir, "ipam"), "10.42.3.0/24");

            Assert.Equal(Path.Combine(dir, "net.d", "10-cox.conflist"), path);
            Assert.Single(Directory.GetFiles(Path.Combine(dir, "net.d"))); // no temp file left behind
            Assert.True(Directory.Exists(Path.Combine(dir, "ipam")));
            var conf = JsonNode.Parse(File.ReadAllText(path))!;
            Assert.Equal("1.0.0", conf["cniVersion"]!.GetValue<string>());
            var bridge = conf["plugins"]![0]!;
            Assert.Equal(("bridge", "cox0"), (bridge["type"]!.GetValue<string>(), bridge["bridge"]!.GetValue<string>()));
            Assert.True(bridge["isGateway"]!.GetValue<bool>() && !bridge["ipMasq"]!.GetValue<bool>() && bridge["hairpinMode"]!.GetValue<bool>());
            var ipam = bridge["ipam"]!;
            Assert.Equal(("host-local", Path.Combine(dir, "ipam")), (ipam["type"]!.GetValue<string>(), ipam["dataDir"]!.GetValue<string>()));
            var range = ipam["ranges"]![0]![0]!;
            Assert.Equal(("10.42.3.0/24", "10.42.3.1"), (range["subnet"]!.GetValue<string>(), range["gateway"]!.GetValue<string>()));
            Assert.Equal("0.0.0.0/0", ipam["routes"]![0]!["dst"]!.GetValue<string>());
            var portmap = conf["plugins"]![1]!;
            Assert.Equal("portmap", portmap["type"]!.GetValue<string>());
            Assert.True(portmap["capabilities"]!["portMappings"]!.GetValue<bool>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void HostBitsAreClearedAndTheGatewayIsTheFirstAddress()
    {
        var range = JsonNode.Parse(CniConfig.Render("/ipam", "10.42.0.77/23"))!["plugins"]![0]!["ipam"]!["ranges"]![0]![0]!;

        Assert.Equal(("10.42.0.0/23", "10.42.0.1"), (range["subnet"]!.GetValue<string>(), range["gateway"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("fd00::/64")]
    [InlineData("10.42.0.0/32")]
    [InlineData("garbage")]
    public void ARangeWithoutRoomForPodsIsRefused(string cidr) =>
        Assert.Throws<ArgumentException>(() => CniConfig.Render("/ipam", cidr));
}
