using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.GarbageCollector;
using Coxswain.Controllers.Namespace;
using Coxswain.Controllers.Tests.Support;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Controllers.Tests.Namespace;

public sealed class NamespaceControllerTests
{
    private static readonly HashSet<string> All = ["list", "watch", "delete", "deletecollection"];

    [Fact]
    public async Task ATerminatingNamespaceIsEmptiedThenFinalized()
    {
        var api = new FakeApi();
        using var client = api.Client();
        var manager = new ControllerManager(client, new InformerFactory(client), NullLoggerFactory.Instance);
        var controller = new NamespaceController(manager)
        {
            Resources =
            [
                new ApiResource("", "v1", "pods", "Pod", true, All),
                new ApiResource("apps", "v1", "deployments", "Deployment", true, All),
                new ApiResource("", "v1", "nodes", "Node", false, All),
                new ApiResource("", "v1", "bindings", "Binding", true, new HashSet<string> { "create" }),
            ],
        };
        manager.Informers.For(ResourceTypes.Namespaces).Indexer.Upsert(new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = "doomed", Uid = "ns-1", ResourceVersion = "3", DeletionTimestamp = DateTime.UtcNow },
            Spec = new V1NamespaceSpec { Finalizers = [NamespaceController.KubernetesFinalizer] },
        });

        await controller.SyncAsync("doomed", CancellationToken.None);

        // Every namespaced resource that can be deleted as a collection, and nothing else.
        Assert.Equal(
            ["/api/v1/namespaces/doomed/pods", "/apis/apps/v1/namespaces/doomed/deployments"],
            api.Where("DELETE", "/").Select(r => r.Path).ToArray());
        Assert.Equal("Background", api.Where("DELETE", "/pods")[0].Json!["propagationPolicy"]!.GetValue<string>());
        // The fake lists nothing back: the content is gone; the conditions say so, then the finalizer goes
        // through the subresource.
        var status = Assert.Single(api.Where("PUT", "/api/v1/namespaces/doomed/status"));
        var conditions = status.Json!["status"]!["conditions"]!.AsArray();
        Assert.Equal(5, conditions.Count);
        Assert.All(conditions, c => Assert.Equal("False", c!["status"]!.GetValue<string>()));
        var finalize = Assert.Single(api.Where("PUT", "/api/v1/namespaces/doomed/finalize"));
        Assert.Empty(finalize.Json!["spec"]!["finalizers"]!.AsArray());
    }

    [Fact]
    public async Task ALiveNamespaceIsLeftAlone()
    {
        var api = new FakeApi();
        using var client = api.Client();
        var manager = new ControllerManager(client, new InformerFactory(client), NullLoggerFactory.Instance);
        var controller = new NamespaceController(manager) { Resources = [] };
        manager.Informers.For(ResourceTypes.Namespaces).Indexer.Upsert(new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = "live", Uid = "ns-1" },
            Spec = new V1NamespaceSpec { Finalizers = [NamespaceController.KubernetesFinalizer] },
        });

        await controller.SyncAsync("live", CancellationToken.None);
        await controller.SyncAsync("missing", CancellationToken.None);

        Assert.Empty(api.Requests);
    }

    [Fact]
    public void ConditionsNameWhatRemainsAndKeepTransitionTimesUnlessStatusFlips()
    {
        var totals = new NamespaceConditions.Totals();
        totals.Remaining["pods."] = 2;
        totals.Remaining["deployments.apps"] = 1;
        totals.Finalizers["example.com/hold"] = 1;
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var status = new V1NamespaceStatus();

        Assert.True(NamespaceConditions.Apply(status, NamespaceConditions.From(totals, t0)));

        var remaining = status.Conditions.Single(c => c.Type == NamespaceConditions.ContentRemaining);
        Assert.Equal(("True", "SomeResourcesRemain"), (remaining.Status, remaining.Reason));
        Assert.Equal("Some resources are remaining: deployments.apps has 1 resource instances, pods. has 2 resource instances", remaining.Message);
        var finalizers = status.Conditions.Single(c => c.Type == NamespaceConditions.FinalizersRemaining);
        Assert.Equal("Some finalizers are remaining: example.com/hold in 1 resource instances", finalizers.Message);
        Assert.Equal("False", status.Conditions.Single(c => c.Type == NamespaceConditions.DiscoveryFailure).Status);

        // The same again changes nothing; once the content is gone, the flipped conditions get a new time.
        Assert.False(NamespaceConditions.Apply(status, NamespaceConditions.From(totals, t0.AddMinutes(1))));
        Assert.True(NamespaceConditions.Apply(status, NamespaceConditions.From(new NamespaceConditions.Totals(), t0.AddMinutes(2))));
        Assert.Equal(("False", "ContentRemoved", t0.AddMinutes(2)), (remaining.Status, remaining.Reason, remaining.LastTransitionTime));
        Assert.Equal(t0, status.Conditions.Single(c => c.Type == NamespaceConditions.DiscoveryFailure).LastTransitionTime);
    }
}
