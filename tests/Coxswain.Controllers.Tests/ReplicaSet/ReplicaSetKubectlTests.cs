using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Tests.ReplicaSet;

/// <summary>
/// The ReplicaSet controller in a real `cox server --simulated-nodes 3`, driven with the real kubectl: pods are
/// created, scheduled and run by the simulated kubelets; scaling goes through the scale subresource.
/// </summary>
public sealed class ReplicaSetKubectlTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static string Manifest(string name, int replicas, string? priorityClass = null, int minReadySeconds = 0) => $"""
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata:
          name: {name}
        spec:
          replicas: {replicas}
          minReadySeconds: {minReadySeconds}
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              {(priorityClass == null ? "" : "priorityClassName: " + priorityClass)}
              containers:
              - name: app
                image: nginx
        """;

    [Fact]
    public async Task ApplyScaleReplaceAndRelease()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();

        Assert.Contains("replicaset.apps/web created", await kubectl.OkAsync("apply -f -", Manifest("web", 3)));
        await WaitRunningAsync(c, "web", 3);
        var table = await WaitForAsync(async () =>
        {
            var line = (await kubectl.OkAsync("get rs web --no-headers")).Trim();
            return line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["web", "3", "3", "3", ..] ? line : null;
        }, "kubectl get rs: DESIRED/CURRENT/READY 3");
        Assert.StartsWith("web", table);
        var pods = await OwnedPodsAsync(c, "web");
        Assert.All(pods, p => Assert.Equal("ReplicaSet", p.Metadata.OwnerReferences.Single(r => r.Controller == true).Kind));

        // Scale goes through the scale subresource; exactly that many pods remain.
        Assert.Contains("replicaset.apps/web scaled", await kubectl.OkAsync("scale rs web --replicas 10"));
        await WaitRunningAsync(c, "web", 10);
        Assert.Contains("replicaset.apps/web scaled", await kubectl.OkAsync("scale rs web --replicas 2"));
        await WaitRunningAsync(c, "web", 2);
        var rs = await WaitForAsync(async () =>
        {
            var r = await c.AppsV1.ReadNamespacedReplicaSetAsync("web", "default");
            return r.Status is { Replicas: 2, ReadyReplicas: 2, AvailableReplicas: 2, FullyLabeledReplicas: 2 } && r.Status.ObservedGeneration == r.Metadata.Generation ? r : null;
        }, "status of 2 replicas");
        Assert.Null(rs.Status.Conditions);

        // A deleted pod is replaced.
        var victim = (await OwnedPodsAsync(c, "web"))[0].Metadata.Name;
        await kubectl.OkAsync($"delete pod {victim} --wait=false");
        await WaitForAsync(async () =>
        {
            var now = await OwnedPodsAsync(c, "web");
            return now.Count == 2 && now.All(p => p.Metadata.Name != victim && p.Status?.Phase == "Running") ? now : null;
        }, "deleted pod replaced");

        // A pod relabelled out of the selector is released (no ownerReference) and replaced.
        var released = (await OwnedPodsAsync(c, "web"))[0].Metadata.Name;
        await kubectl.OkAsync($"label pod {released} app=elsewhere --overwrite");
        await WaitForAsync(async () =>
        {
            var p = (await c.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "metadata.name=" + released)).Items.SingleOrDefault()
                ?? throw new InvalidOperationException($"released pod {released} was deleted; events:\n{await kubectl.OkAsync("get events")}\n{server.Output}");
            return p.Metadata.OwnerReferences == null || p.Metadata.OwnerReferences.Count == 0 ? p : null;
        }, "relabelled pod released");
        await WaitRunningAsync(c, "web", 2);
        Assert.DoesNotContain(await OwnedPodsAsync(c, "web"), p => p.Metadata.Name == released);
        Assert.Equal("Running", (await c.CoreV1.ReadNamespacedPodAsync(released, "default")).Status.Phase);

        // Relabelled back, the orphan is adopted again and the surplus pod deleted.
        await kubectl.OkAsync($"label pod {released} app=web --overwrite");
        await WaitForAsync<object>(async () =>
        {
            V1Pod p;
            try
            {
                p = await c.CoreV1.ReadNamespacedPodAsync(released, "default");
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Adopted, then picked as the surplus pod: only its owner deletes it.
                return "adopted and deleted";
            }
            return p.Metadata.OwnerReferences?.Any(r => r.Controller == true && r.Name == "web") == true ? p : null;
        }, "orphan adopted");
        await WaitRunningAsync(c, "web", 2);
    }

    [Fact]
    public async Task RejectedTemplateSetsReplicaFailureWhileOthersReconcile()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();

        // The ReplicaSet is valid, but the Priority admission plugin refuses its pods: the class does not exist.
        await kubectl.OkAsync("apply -f -", Manifest("broken", 2, priorityClass: "no-such-class"));
        await kubectl.OkAsync("apply -f -", Manifest("fine", 2, minReadySeconds: 2));

        var condition = await WaitForAsync(async () =>
        {
            var r = await c.AppsV1.ReadNamespacedReplicaSetAsync("broken", "default");
            return r.Status?.Conditions?.FirstOrDefault(x => x.Type == "ReplicaFailure");
        }, "ReplicaFailure condition");
        Assert.Equal("True", condition.Status);
        Assert.Equal("FailedCreate", condition.Reason);
        Assert.Contains("no PriorityClass with name no-such-class was found", condition.Message);

        var describe = await WaitForAsync(async () =>
        {
            var d = await kubectl.OkAsync("describe rs broken");
            return d.Contains("FailedCreate", StringComparison.Ordinal) && d.Contains("ReplicaFailure", StringComparison.Ordinal) ? d : null;
        }, "FailedCreate in kubectl describe rs");
        Assert.Contains("Error creating:", describe);
        Assert.Empty(await OwnedPodsAsync(c, "broken"));

        await WaitRunningAsync(c, "fine", 2);
        // Ready pods count as available minReadySeconds later, with no pod event in between.
        var fine = await WaitForAsync(async () =>
        {
            var r = await c.AppsV1.ReadNamespacedReplicaSetAsync("fine", "default");
            return r.Status is { Replicas: 2, ReadyReplicas: 2, AvailableReplicas: 2 } ? r : null;
        }, "2 available replicas of fine");
        Assert.Null(fine.Status.Conditions);

        // Once the class exists the pods are admitted and the condition goes.
        await kubectl.OkAsync("create priorityclass no-such-class --value 100");
        await WaitRunningAsync(c, "broken", 2);
        await WaitForAsync(async () =>
        {
            var r = await c.AppsV1.ReadNamespacedReplicaSetAsync("broken", "default");
            return r.Status?.Conditions == null || r.Status.Conditions.Count == 0 ? r : null;
        }, "ReplicaFailure removed");
    }

    [Fact]
    public async Task ANewReplicaSetAdoptsThePodsOrphanedByItsPredecessor()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();

        await kubectl.OkAsync("apply -f -", Manifest("web", 3));
        var before = (await WaitRunningAsync(c, "web", 3)).Select(p => p.Metadata.Name).Order().ToList();

        // The garbage collector releases the pods instead of deleting them.
        await kubectl.OkAsync("delete rs web --cascade=orphan");
        await WaitForAsync(async () =>
        {
            var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web")).Items;
            return pods.Count == 3 && pods.All(p => p.Metadata.OwnerReferences == null || p.Metadata.OwnerReferences.Count == 0) ? pods : null;
        }, "3 orphaned pods");

        // A new ReplicaSet with the same selector adopts them rather than creating its own.
        await kubectl.OkAsync("apply -f -", Manifest("web", 3));
        var uid = (await c.AppsV1.ReadNamespacedReplicaSetAsync("web", "default")).Metadata.Uid;
        var adopted = await WaitForAsync(async () =>
        {
            var owned = await OwnedPodsAsync(c, "web");
            return owned.Count == 3 && owned.All(p => p.Metadata.OwnerReferences.Single().Uid == uid) ? owned : null;
        }, "3 pods adopted");
        Assert.Equal(before, adopted.Select(p => p.Metadata.Name).Order().ToList());
        await WaitForAsync(async () =>
        {
            var r = await c.AppsV1.ReadNamespacedReplicaSetAsync("web", "default");
            return r.Status is { Replicas: 3, ReadyReplicas: 3 } ? r : null;
        }, "status of the adopted pods");
        Assert.DoesNotContain("SuccessfulCreate", await kubectl.OkAsync("get events --field-selector involvedObject.uid=" + uid));
    }

    private static async Task<List<V1Pod>> OwnedPodsAsync(Kubernetes c, string rs) =>
        (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=" + rs)).Items
            .Where(p => p.Metadata.DeletionTimestamp == null && p.Metadata.OwnerReferences?.Any(r => r.Controller == true && r.Name == rs) == true)
            .ToList();

    /// <summary>Waits until exactly <paramref name="count"/> pods of the ReplicaSet exist (none terminating) and run.</summary>
    private static Task<List<V1Pod>> WaitRunningAsync(Kubernetes c, string rs, int count) => WaitForAsync(async () =>
    {
        var all = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=" + rs)).Items;
        var owned = await OwnedPodsAsync(c, rs);
        return all.Count == count && owned.Count == count && owned.All(p => p.Status?.Phase == "Running") ? owned : null;
    }, $"{count} pods of {rs} Running");

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } v)
            {
                return v;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("timed out waiting for " + what);
    }
}
