using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.Controllers.Tests.GarbageCollection;

/// <summary>
/// `kubectl delete deployment --cascade=...` on a live Deployment (controllers running, pods on simulated nodes):
/// background removes the Deployment at once and its ReplicaSet and pods after it; foreground removes the
/// dependents first; orphan leaves the ReplicaSet and pods running, without owner.
/// </summary>
public sealed class CascadeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task EachCascadeModeOnALiveDeployment()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "2");
        using var c = server.Client();
        var kubectl = server.Kubectl();
        foreach (var name in new[] { "bg", "fg", "orphan" })
        {
            await kubectl.OkAsync($"create deployment {name} --image=nginx --replicas=2");
        }
        foreach (var name in new[] { "bg", "fg", "orphan" })
        {
            await kubectl.OkAsync($"rollout status deployment/{name} --timeout=90s");
        }

        // Foreground: kubectl waits until the Deployment is gone, which is only after its ReplicaSet and pods.
        await kubectl.OkAsync("delete deployment fg --cascade=foreground --timeout=90s");
        Assert.Empty((await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=fg")).Items);
        Assert.DoesNotContain((await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=fg")).Items, p => p.Metadata.DeletionTimestamp == null);

        // Background: the Deployment goes at once; the garbage collector removes the rest afterwards.
        await kubectl.OkAsync("delete deployment bg --cascade=background");
        await Until(async () => (await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=bg")).Items.Count == 0
            && (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=bg")).Items.Count == 0, "bg's ReplicaSet and pods collected");

        // Orphan: the ReplicaSet stays, without owner, and keeps its pods running.
        await kubectl.OkAsync("delete deployment orphan --cascade=orphan --timeout=90s");
        var rs = (await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=orphan")).Items.Single();
        Assert.True(rs.Metadata.OwnerReferences == null || rs.Metadata.OwnerReferences.Count == 0);
        await Until(async () => (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=orphan")).Items
            .Count(p => p.Status?.Phase == "Running" && p.Metadata.DeletionTimestamp == null) == 2, "orphaned pods still running");
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(200);
        }
    }
}
