using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Tests.Deployment;

/// <summary>
/// The deployment controller (with the ReplicaSet controller) in a real `cox server --simulated-nodes 3`, driven
/// with the real kubectl: rollout status, scale, set image, history, undo, pause/resume, restart.
/// </summary>
public sealed class DeploymentKubectlTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static string Manifest(string name, int replicas, string strategy) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          annotations:
            kubernetes.io/change-cause: create v1
        spec:
          replicas: {replicas}
          selector:
            matchLabels:
              app: {name}
          strategy:
            {strategy}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              containers:
              - name: app
                image: nginx:1
        """;

    [Fact]
    public async Task RollingUpdateHistoryUndoPauseAndRestart()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();

        var strategy = "type: RollingUpdate\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 1}";
        Assert.Contains("deployment.apps/web created", await kubectl.OkAsync("apply -f -", Manifest("web", 3, strategy)));
        await RolledOutAsync(kubectl, server, "web");
        Assert.Equal(3, (await RunningPodsAsync(c, "web")).Count);
        var d = await c.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Equal("1", d.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal((3, 3, 3, 3), (d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas));
        Assert.Equal("MinimumReplicasAvailable", d.Status.Conditions.Single(x => x.Type == "Available").Reason);
        Assert.Equal("NewReplicaSetAvailable", d.Status.Conditions.Single(x => x.Type == "Progressing").Reason);
        var first = Assert.Single((await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=web")).Items);
        Assert.Equal($"web-{first.Metadata.Labels["pod-template-hash"]}", first.Metadata.Name);

        // Scale 3 -> 10 -> 2 (the scale subresource; one ReplicaSet takes it all).
        Assert.Contains("deployment.apps/web scaled", await kubectl.OkAsync("scale deployment web --replicas 10"));
        await WaitForAsync(async () => (await RunningPodsAsync(c, "web")).Count == 10 ? "" : null, "10 pods");
        await RolledOutAsync(kubectl, server, "web");
        Assert.Contains("deployment.apps/web scaled", await kubectl.OkAsync("scale deployment web --replicas 2"));
        await WaitForAsync(async () => (await RunningPodsAsync(c, "web")).Count == 2 ? "" : null, "2 pods");
        await kubectl.OkAsync("scale deployment web --replicas 4");
        await RolledOutAsync(kubectl, server, "web");

        // set image: a new ReplicaSet; while it rolls, at least replicas - maxUnavailable = 3 pods stay ready.
        // The change-cause goes on after the image: annotating the deployment first would relabel revision 1 too.
        Assert.Contains("image updated", await kubectl.OkAsync("set image deployment/web app=nginx:2"));
        await kubectl.OkAsync("annotate deployment web kubernetes.io/change-cause=image-v2 --overwrite");
        var minReady = int.MaxValue;
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var pods = await RunningPodsAsync(c, "web");
            minReady = Math.Min(minReady, pods.Count);
            var d2 = await c.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
            if (pods.Count == 4 && pods.All(p => p.Spec.Containers[0].Image == "nginx:2") && d2.Status.UpdatedReplicas == 4
                && d2.Status.Replicas == 4 && d2.Status.AvailableReplicas == 4)
            {
                break;
            }
            await Task.Delay(50);
        }
        Assert.True(minReady >= 3, $"only {minReady} ready pods during the rollout");
        var status = await RolledOutAsync(kubectl, server, "web");
        Assert.Contains("successfully rolled out", status);
        Assert.Equal(2, (await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=web")).Items.Count);
        var events = await kubectl.OkAsync("get events --field-selector involvedObject.kind=Deployment");
        Assert.Contains("ScalingReplicaSet", events);
        Assert.Contains("Scaled up replica set web-", events);
        Assert.Contains("Scaled down replica set web-", events);
        var describe = await kubectl.OkAsync("describe deployment web");
        var newRS = (await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=web")).Items
            .Single(rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:2");
        Assert.Matches($@"NewReplicaSet:\s+{newRS.Metadata.Name} \(4/4 replicas created\)", describe);
        Assert.Matches(@"Progressing\s+True\s+NewReplicaSetAvailable", describe);

        // History lists both revisions with their change-cause.
        var history = await WaitForAsync(async () =>
        {
            var h = await kubectl.OkAsync("rollout history deployment/web");
            return h.Contains("create v1", StringComparison.Ordinal) && h.Contains("image-v2", StringComparison.Ordinal) ? h : null;
        }, "rollout history with change-cause");
        Assert.Matches(@"(?m)^1\s+create v1", history);
        Assert.Matches(@"(?m)^2\s+image-v2", history);

        // undo: back to revision 1's template, which becomes revision 3.
        Assert.Contains("rolled back", await kubectl.OkAsync("rollout undo deployment/web"));
        await RolledOutAsync(kubectl, server, "web");
        await WaitForAsync(async () => (await RunningPodsAsync(c, "web")) is { Count: 4 } p && p.All(x => x.Spec.Containers[0].Image == "nginx:1") ? "" : null, "nginx:1 pods");
        history = await kubectl.OkAsync("rollout history deployment/web");
        Assert.Matches(@"(?m)^3\s+create v1", history);
        Assert.True(!System.Text.RegularExpressions.Regex.IsMatch(history, @"(?m)^1\s"), history + await kubectl.OkAsync("get rs -o yaml") + await kubectl.OkAsync("get deploy web -o yaml"));
        Assert.Equal(2, (await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=web")).Items.Count);

        // undo --to-revision=2: nginx:2 again.
        Assert.Contains("rolled back", await kubectl.OkAsync("rollout undo deployment/web --to-revision=2"));
        await RolledOutAsync(kubectl, server, "web");
        d = await c.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Equal("nginx:2", d.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("4", d.Metadata.Annotations["deployment.kubernetes.io/revision"]);

        // pause: a template change is not rolled out until resume.
        await kubectl.OkAsync("rollout pause deployment/web");
        await kubectl.OkAsync("set image deployment/web app=nginx:3");
        d = await WaitForAsync(async () =>
        {
            var x = await c.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
            return x.Status.ObservedGeneration == x.Metadata.Generation
                && x.Status.Conditions.Any(k => k.Type == "Progressing" && k.Reason == "DeploymentPaused") ? x : null;
        }, "DeploymentPaused");
        Assert.Equal("Unknown", d.Status.Conditions.Single(k => k.Type == "Progressing").Status);
        Assert.DoesNotContain((await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=web")).Items,
            rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:3");
        await kubectl.OkAsync("rollout resume deployment/web");
        await RolledOutAsync(kubectl, server, "web");
        Assert.Contains((await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=web")).Items,
            rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:3" && rs.Spec.Replicas == 4);

        // restart: a template annotation change rolls every pod.
        var before = (await RunningPodsAsync(c, "web")).Select(p => p.Metadata.Name).ToHashSet();
        Assert.Contains("restarted", await kubectl.OkAsync("rollout restart deployment/web"));
        await RolledOutAsync(kubectl, server, "web");
        await WaitForAsync(async () => (await RunningPodsAsync(c, "web")) is { Count: 4 } p && p.All(x => !before.Contains(x.Metadata.Name)
            && x.Metadata.Annotations?.ContainsKey("kubectl.kubernetes.io/restartedAt") == true) ? "" : null, "restarted pods");
    }

    [Fact]
    public async Task RecreateReplacesAllPodsAndTimedOutRolloutFailsRolloutStatus()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();

        // maxSurge and maxUnavailable both 0 could never make progress: the API refuses it.
        var zero = await kubectl.RunAsync("apply -f -", Manifest("zero", 3, "type: RollingUpdate\n    rollingUpdate: {maxSurge: 0, maxUnavailable: 0}"));
        Assert.NotEqual(0, zero.ExitCode);
        Assert.Contains("may not be 0 when `maxSurge` is 0", zero.Stderr);

        await kubectl.OkAsync("apply -f -", Manifest("re", 3, "type: Recreate"));
        await RolledOutAsync(kubectl, server, "re");
        var oldPods = (await RunningPodsAsync(c, "re")).Select(p => p.Metadata.Name).ToHashSet();
        await kubectl.OkAsync("set image deployment/re app=nginx:2");
        // Recreate never runs old and new pods together.
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=re")).Items;
            Assert.False(pods.Any(p => oldPods.Contains(p.Metadata.Name)) && pods.Any(p => p.Spec.Containers[0].Image == "nginx:2"),
                "old and new pods at the same time");
            if (pods.Count == 3 && pods.All(p => p.Spec.Containers[0].Image == "nginx:2" && p.Status?.Phase == "Running"))
            {
                break;
            }
            await Task.Delay(50);
        }
        await RolledOutAsync(kubectl, server, "re");

        // Pods that can never be scheduled and a 1 s deadline: ProgressDeadlineExceeded, and rollout status fails.
        var patch = await kubectl.RunArgsAsync(["patch", "deployment", "re", "-p",
            """{"spec":{"progressDeadlineSeconds":1,"template":{"spec":{"nodeSelector":{"nowhere":"true"}}}}}"""]);
        Assert.True(patch.ExitCode == 0, patch.ToString());
        var stuck = await WaitForAsync(async () =>
        {
            var x = await c.AppsV1.ReadNamespacedDeploymentAsync("re", "default");
            return x.Status.Conditions?.FirstOrDefault(k => k.Type == "Progressing" && k.Reason == "ProgressDeadlineExceeded");
        }, "ProgressDeadlineExceeded");
        Assert.Equal("False", stuck.Status);
        var result = await kubectl.RunAsync("rollout status deployment/re --timeout=30s");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("exceeded its progress deadline", result.Stderr + result.Stdout);
    }

    [Fact]
    public async Task RecreatedDeploymentAdoptsTheReplicaSetItsPredecessorOrphaned()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();

        var manifest = Manifest("adopt", 2, "type: RollingUpdate");
        await kubectl.OkAsync("apply -f -", manifest);
        await RolledOutAsync(kubectl, server, "adopt");
        var rs = Assert.Single((await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=adopt")).Items);
        var pods = (await RunningPodsAsync(c, "adopt")).Select(p => p.Metadata.Name).Order().ToList();

        await kubectl.OkAsync("delete deployment adopt --cascade=orphan");
        await WaitForAsync(async () =>
        {
            var r = await c.AppsV1.ReadNamespacedReplicaSetAsync(rs.Metadata.Name, "default");
            return r.Metadata.OwnerReferences == null || r.Metadata.OwnerReferences.Count == 0 ? r : null;
        }, "orphaned ReplicaSet");

        await kubectl.OkAsync("apply -f -", manifest);
        var d = await c.AppsV1.ReadNamespacedDeploymentAsync("adopt", "default");
        await WaitForAsync(async () =>
        {
            var r = await c.AppsV1.ReadNamespacedReplicaSetAsync(rs.Metadata.Name, "default");
            return r.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == d.Metadata.Uid) == true ? r : null;
        }, "ReplicaSet adopted");
        await RolledOutAsync(kubectl, server, "adopt");
        Assert.Single((await c.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=adopt")).Items);
        Assert.Equal(pods, (await RunningPodsAsync(c, "adopt")).Select(p => p.Metadata.Name).Order().ToList());
    }

    private static async Task<string> RolledOutAsync(Kubectl kubectl, CoxServer server, string name)
    {
        var r = await kubectl.RunAsync($"rollout status deployment/{name} --timeout=90s", timeout: TimeSpan.FromSeconds(100));
        Assert.True(r.ExitCode == 0, r + "\n" + server.Output);
        Assert.Contains("successfully rolled out", r.Stdout);
        return r.Stdout;
    }

    /// <summary>Pods of the deployment that are Ready and not being deleted.</summary>
    private static async Task<List<V1Pod>> RunningPodsAsync(Kubernetes c, string app) =>
        (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=" + app)).Items
            .Where(p => p.Metadata.DeletionTimestamp == null && p.Status?.Conditions?.Any(k => k.Type == "Ready" && k.Status == "True") == true)
            .ToList();

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
