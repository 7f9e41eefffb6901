using Coxswain.ApiServer.Tests.Harness;

namespace Coxswain.Controllers.Tests.NodeIpam;

/// <summary>Pod CIDR allocation in a real `cox server`, driven with the real kubectl.</summary>
public sealed class NodeIpamKubectlTests
{
    private static string NodeYaml(string name) => $"""
        apiVersion: v1
        kind: Node
        metadata:
          name: {name}
          labels:
            test: nodeipam
        """;

    private static async Task<string> PodCidrAsync(Kubectl kubectl, string node)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var cidr = (await kubectl.OkAsync($"get node {node} -o jsonpath={{.spec.podCIDR}}")).Trim();
            if (cidr.Length > 0)
            {
                Assert.Equal(cidr, (await kubectl.OkAsync($"get node {node} -o jsonpath={{.spec.podCIDRs[0]}}")).Trim());
                return cidr;
            }
            Assert.True(DateTime.UtcNow < deadline, $"node {node} got no podCIDR");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task NodesGetSubnetsInTurnAndARecreatedNodeReusesAFreedOne()
    {
        // Two /24s in the cluster range: after a delete, a re-created node can only get the freed subnet.
        await using var server = await CoxServer.StartAsync(null, 0, "--cluster-cidr", "10.42.0.0/23", "--node-cidr-mask-size", "24");
        var kubectl = server.Kubectl();

        await kubectl.OkAsync("apply -f -", NodeYaml("ipam-a"));
        Assert.Equal("10.42.0.0/24", await PodCidrAsync(kubectl, "ipam-a"));
        await kubectl.OkAsync("apply -f -", NodeYaml("ipam-b"));
        Assert.Equal("10.42.1.0/24", await PodCidrAsync(kubectl, "ipam-b"));

        await kubectl.OkAsync("delete node ipam-a");
        await kubectl.OkAsync("apply -f -", NodeYaml("ipam-c"));
        Assert.Equal("10.42.0.0/24", await PodCidrAsync(kubectl, "ipam-c"));

        // The range is full now: a fourth node waits with a CIDRNotAvailable event.
        await kubectl.OkAsync("apply -f -", NodeYaml("ipam-d"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await kubectl.OkAsync("get events -n default --field-selector involvedObject.name=ipam-d")).Contains("CIDRNotAvailable"))
        {
            Assert.True(DateTime.UtcNow < deadline, "no CIDRNotAvailable event for ipam-d");
            await Task.Delay(200);
        }
        Assert.Equal("", (await kubectl.OkAsync("get node ipam-d -o jsonpath={.spec.podCIDR}")).Trim());

        await kubectl.OkAsync("delete node ipam-b");
        Assert.Equal("10.42.1.0/24", await PodCidrAsync(kubectl, "ipam-d"));
    }

    [Fact]
    public async Task SimulatedNodesKeepTheirOwnRangeBesideAllocatedOnes()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "2");
        var kubectl = server.Kubectl();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await kubectl.OkAsync("get node sim-1 -o jsonpath={.spec.podCIDR} --ignore-not-found")).Trim().Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "simulated nodes did not register");
            await Task.Delay(200);
        }

        await kubectl.OkAsync("apply -f -", NodeYaml("real-0"));

        Assert.Equal("10.42.0.0/24", await PodCidrAsync(kubectl, "real-0"));
        Assert.Equal("10.128.0.0/24", (await kubectl.OkAsync("get node sim-0 -o jsonpath={.spec.podCIDR}")).Trim());
        Assert.Equal("10.128.1.0/24", (await kubectl.OkAsync("get node sim-1 -o jsonpath={.spec.podCIDR}")).Trim());
    }
}
