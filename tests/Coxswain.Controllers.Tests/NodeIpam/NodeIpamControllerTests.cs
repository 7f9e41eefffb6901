using System.Net;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Controllers.NodeIpam;
using Coxswain.Controllers.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Controllers.Tests.NodeIpam;

public sealed class NodeIpamControllerTests
{
    private sealed class RecordedEvents : IEventRecorder
    {
        public List<(string Name, string Type, string Reason, string Message)> All { get; } = [];

        public void Event(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message) =>
            All.Add((obj.Metadata.Name, type, reason, message));
    }

    private sealed class Setup : IDisposable
    {
        public FakeApi Api { get; } = new();
        public RecordedEvents Events { get; } = new();
        public Kubernetes Client { get; }
        public ControllerManager Manager { get; }
        public NodeIpamController Controller { get; }

        public Setup(string clusterCidr = "10.42.0.0/16", params V1Node[] nodes)
        {
            Client = Api.Client();
            Manager = new ControllerManager(Client, new InformerFactory(Client), NullLoggerFactory.Instance);
            Controller = new NodeIpamController(Manager, new NodeIpamOptions { ClusterCidr = clusterCidr }, Events);
            foreach (var node in nodes)
            {
                Upsert(node);
            }
            Controller.OccupyExisting();
        }

        public void Upsert(V1Node node) => Manager.Informers.For(ResourceTypes.Nodes).Indexer.Upsert(node);

        /// <summary>The podCIDR of every node patch, in order.</summary>
        public List<string> Assigned() => Api.Where("PATCH", "/api/v1/nodes/")
            .Where(r => r.Json?["spec"] is not null)
            .Select(r =>
            {
                var spec = r.Json!["spec"]!;
                Assert.Equal(spec["podCIDR"]!.GetValue<string>(), Assert.Single(spec["podCIDRs"]!.AsArray())!.GetValue<string>());
                return $"{r.Path.Split('/').Last()}={spec["podCIDR"]!.GetValue<string>()}";
            })
            .ToList();

        public void Dispose() => Client.Dispose();
    }

    private static V1Node Node(string name, string? podCidr = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Uid = "uid-" + name, ResourceVersion = "1" },
        Spec = podCidr is null ? new V1NodeSpec() : new V1NodeSpec { PodCIDR = podCidr, PodCIDRs = [podCidr] },
    };

    [Fact]
    public async Task ANodeWithoutPodCidrGetsTheNextFreeSubnet()
    {
        using var s = new Setup("10.42.0.0/16", Node("a"), Node("b"));

        await s.Controller.SyncAsync("a", CancellationToken.None);
        await s.Controller.SyncAsync("b", CancellationToken.None);

        Assert.Equal(["a=10.42.0.0/24", "b=10.42.1.0/24"], s.Assigned());
        Assert.Equal(2, s.Controller.Allocated);
    }

    [Fact]
    public async Task SubnetsOfExistingNodesAreTakenAndForeignRangesIgnored()
    {
        // One node kept its subnet from before a restart; a simulated node carries its own range outside the cluster CIDR.
        using var s = new Setup("10.42.0.0/16", Node("old", "10.42.0.0/24"), Node("sim-0", "10.128.0.0/24"), Node("new"));

        await s.Controller.SyncAsync("old", CancellationToken.None);
        await s.Controller.SyncAsync("sim-0", CancellationToken.None);
        await s.Controller.SyncAsync("new", CancellationToken.None);

        Assert.Equal(["new=10.42.1.0/24"], s.Assigned());
        Assert.Equal(2, s.Controller.Allocated);
    }

    [Fact]
    public async Task ANodeSyncedAgainBeforeTheCacheSeesItsPatchKeepsItsSubnet()
    {
        using var s = new Setup("10.42.0.0/16", Node("a"));

        await s.Controller.SyncAsync("a", CancellationToken.None);
        await s.Controller.SyncAsync("a", CancellationToken.None); // the informer still has the node without podCIDR

        Assert.Equal(["a=10.42.0.0/24", "a=10.42.0.0/24"], s.Assigned());
        Assert.Equal(1, s.Controller.Allocated);
    }

    [Fact]
    public async Task AnExhaustedRangeRecordsCidrNotAvailableUntilADeletedNodeFreesItsSubnet()
    {
        using var s = new Setup("10.42.0.0/23", Node("a", "10.42.0.0/24"), Node("b", "10.42.1.0/24"), Node("c"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => s.Controller.SyncAsync("c", CancellationToken.None));
        Assert.Contains("no free pod CIDR", error.Message);
        var recorded = Assert.Single(s.Events.All);
        Assert.Equal(("c", EventTypes.Normal, "CIDRNotAvailable", "Node c status is now: CIDRNotAvailable"), recorded);
        Assert.Empty(s.Assigned());

        var b = Node("b", "10.42.1.0/24");
        s.Manager.Informers.For(ResourceTypes.Nodes).Indexer.Delete("b");
        s.Controller.Release(b);
        await s.Controller.SyncAsync("c", CancellationToken.None);

        Assert.Equal(["c=10.42.1.0/24"], s.Assigned());
    }

    [Fact]
    public async Task AFailedPatchFreesTheSubnetAndMarksTheNetworkUnavailable()
    {
        using var s = new Setup("10.42.0.0/16", Node("a"));
        s.Api.Fail("PATCH", "/api/v1/nodes/a", HttpStatusCode.InternalServerError);

        await Assert.ThrowsAnyAsync<Exception>(() => s.Controller.SyncAsync("a", CancellationToken.None));

        Assert.Equal(0, s.Controller.Allocated);
        var status = s.Api.Where("PATCH", "/api/v1/nodes/a/status").Single().Json!;
        var condition = Assert.Single(status["status"]!["conditions"]!.AsArray())!;
        Assert.Equal("NetworkUnavailable", condition["type"]!.GetValue<string>());
        Assert.Equal("CIDRAssignmentFailed", condition["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task ADeletedNodeIsForgottenAndItsSubnetHandedOutAgainLater()
    {
        using var s = new Setup("10.42.0.0/23", Node("a"));
        await s.Controller.SyncAsync("a", CancellationToken.None);
        s.Manager.Informers.For(ResourceTypes.Nodes).Indexer.Delete("a");
        s.Controller.Release(Node("a")); // the cache never saw the patch: the controller still knows what it gave

        Assert.Equal(0, s.Controller.Allocated);
        s.Upsert(Node("a"));
        await s.Controller.SyncAsync("a", CancellationToken.None);
        s.Upsert(Node("b"));
        await s.Controller.SyncAsync("b", CancellationToken.None);

        Assert.Equal(["a=10.42.0.0/24", "a=10.42.1.0/24", "b=10.42.0.0/24"], s.Assigned());
    }
}
