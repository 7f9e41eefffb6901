using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Tests.StatefulSet;

/// <summary>
/// `cox server --simulated-nodes 3` driven with the real kubectl: a StatefulSet with a volumeClaimTemplate comes up
/// in ordinal order with its claims (which stay Pending: there is no volume binder, and nothing waits for one),
/// rolls a new image from the highest ordinal down, shows and undoes its history, and scales down in reverse order.
/// </summary>
public sealed class StatefulSetKubectlTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private const string Manifest = """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx
        spec:
          clusterIP: None
          selector:
            app: web
          ports:
          - port: 80
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
        spec:
          serviceName: nginx
          replicas: 3
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: nginx
                image: nginx:1.25
                volumeMounts:
                - name: www
                  mountPath: /usr/share/nginx/html
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: ["ReadWriteOnce"]
              resources:
                requests:
                  storage: 1Gi
        """;

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (await probe() is { } result)
            {
                return result;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }
            await Task.Delay(200);
        }
    }

    private static async Task<List<V1Pod>> PodsAsync(Kubernetes c) =>
        (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web")).Items.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();

    private static bool Ready(V1Pod p) => p.Status?.Phase == "Running" && p.Status.Conditions?.Any(x => x is { Type: "Ready", Status: "True" }) == true;

    /// <summary>When the pod became Ready, in the whole seconds creationTimestamp has.</summary>
    private static DateTime ReadySince(V1Pod p)
    {
        var t = p.Status.Conditions.Single(x => x.Type == "Ready").LastTransitionTime!.Value.ToUniversalTime();
        return new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    private static DateTime Created(V1Pod p) => p.Metadata.CreationTimestamp!.Value.ToUniversalTime();

    /// <summary>Pods web-0..web-(n-1), all Running and Ready with <paramref name="image"/>.</summary>
    private static Task<List<V1Pod>> WaitForPodsAsync(Kubernetes c, int n, string image) => WaitForAsync(async () =>
    {
        var pods = await PodsAsync(c);
        return pods.Count == n && pods.All(p => Ready(p) && p.Metadata.DeletionTimestamp == null && p.Spec.Containers[0].Image == image)
            && pods.Select(p => p.Metadata.Name).SequenceEqual(Enumerable.Range(0, n).Select(i => $"web-{i}")) ? pods : null;
    }, $"{n} pods Ready with {image}");

    [Fact]
    public async Task OrderedStartClaimsRollingUpdateHistoryUndoAndScaleDown()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();

        var apply = await kubectl.RunAsync("apply -f -", stdin: Manifest);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        var pods = await WaitForPodsAsync(c, 3, "nginx:1.25");

        // Each pod was created only once its predecessor was Ready (timestamps have whole seconds, hence >=).
        for (var i = 1; i < 3; i++)
        {
            Assert.True(Created(pods[i]) >= ReadySince(pods[i - 1]), $"web-{i} created {Created(pods[i]):O} before web-{i - 1} was Ready {ReadySince(pods[i - 1]):O}");
        }
        foreach (var (pod, i) in pods.Select((p, i) => (p, i)))
        {
            Assert.Equal(($"web-{i}", "nginx"), (pod.Spec.Hostname, pod.Spec.Subdomain));
            Assert.Equal(pod.Metadata.Name, pod.Metadata.Labels["statefulset.kubernetes.io/pod-name"]);
            Assert.Equal($"{i}", pod.Metadata.Labels["apps.kubernetes.io/pod-index"]);
            Assert.StartsWith("web-", pod.Metadata.Labels["controller-revision-hash"]);
            Assert.Equal($"www-web-{i}", pod.Spec.Volumes.Single(v => v.Name == "www").PersistentVolumeClaim.ClaimName);
        }
        var claims = (await c.CoreV1.ListNamespacedPersistentVolumeClaimAsync("default")).Items.Select(x => x.Metadata.Name).Order();
        Assert.Equal(["www-web-0", "www-web-1", "www-web-2"], claims);

        var status = await kubectl.RunAsync("rollout status sts/web --timeout=60s", timeout: Timeout);
        Assert.True(status.ExitCode == 0, status.ToString());
        // kubectl reports a set with a partition (defaulted to 0) as a partitioned roll-out, as on any cluster.
        Assert.Contains("partitioned roll out complete: 3 new pods have been updated", status.Stdout);

        var events = await kubectl.OkAsync("get events --field-selector involvedObject.kind=StatefulSet");
        Assert.Contains("create Pod web-0 in StatefulSet web successful", events);
        Assert.Contains("create Claim www-web-0 Pod web-0 in StatefulSet web success", events);

        // A new image rolls from the highest ordinal down, each replacement waiting for the one above to be Ready.
        var setImage = await kubectl.RunAsync("set image sts/web nginx=nginx:1.26");
        Assert.True(setImage.ExitCode == 0, setImage.ToString());
        status = await kubectl.RunAsync("rollout status sts/web --timeout=90s", timeout: Timeout + Timeout);
        Assert.True(status.ExitCode == 0, status.ToString());
        // kubectl reports a set with a partition (defaulted to 0) as a partitioned roll-out, as on any cluster.
        Assert.Contains("partitioned roll out complete: 3 new pods have been updated", status.Stdout);
        pods = await WaitForPodsAsync(c, 3, "nginx:1.26");
        Assert.True(Created(pods[1]) >= ReadySince(pods[2]), "web-1 was replaced before the new web-2 was Ready");
        Assert.True(Created(pods[0]) >= ReadySince(pods[1]), "web-0 was replaced before the new web-1 was Ready");
        var sts = await c.AppsV1.ReadNamespacedStatefulSetAsync("web", "default");
        Assert.Equal(sts.Status.UpdateRevision, sts.Status.CurrentRevision);
        Assert.All(pods, p => Assert.Equal(sts.Status.UpdateRevision, p.Metadata.Labels["controller-revision-hash"]));
        Assert.Equal((3, 3, 3, 3), (sts.Status.ReadyReplicas, sts.Status.CurrentReplicas, sts.Status.UpdatedReplicas, sts.Status.AvailableReplicas));

        var history = await kubectl.OkAsync("rollout history sts/web");
        Assert.Contains("REVISION", history);
        Assert.Matches(@"(?m)^1\s", history);
        Assert.Matches(@"(?m)^2\s", history);
        var revision1 = await kubectl.OkAsync("rollout history sts/web --revision=1");
        Assert.Contains("nginx:1.25", revision1);

        // Undo goes back to revision 1's template, which becomes revision 3.
        var undo = await kubectl.RunAsync("rollout undo sts/web");
        Assert.True(undo.ExitCode == 0, undo.ToString());
        Assert.Contains("statefulset.apps/web rolled back", undo.Stdout);
        status = await kubectl.RunAsync("rollout status sts/web --timeout=90s", timeout: Timeout + Timeout);
        Assert.True(status.ExitCode == 0, status.ToString());
        await WaitForPodsAsync(c, 3, "nginx:1.25");
        history = await kubectl.OkAsync("rollout history sts/web");
        Assert.Matches(@"(?m)^2\s", history);
        Assert.Matches(@"(?m)^3\s", history);
        Assert.DoesNotMatch(@"(?m)^1\s", history);

        // Scale down: web-2 goes completely before web-1 starts terminating.
        var scale = await kubectl.RunAsync("scale sts web --replicas 1");
        Assert.True(scale.ExitCode == 0, scale.ToString());
        await WaitForAsync(async () =>
        {
            var now = await PodsAsync(c);
            var web1 = now.FirstOrDefault(p => p.Metadata.Name == "web-1");
            if (now.Any(p => p.Metadata.Name == "web-2"))
            {
                Assert.True(web1 is { Metadata.DeletionTimestamp: null }, "web-1 removed while web-2 was still there");
            }
            return now.Count == 1 && now[0].Metadata.Name == "web-0" ? now : null;
        }, "only web-0 left");
        // Claims are retained (whenScaled defaults to Retain).
        Assert.Equal(3, (await c.CoreV1.ListNamespacedPersistentVolumeClaimAsync("default")).Items.Count);
        sts = await WaitForAsync(async () =>
        {
            var s = await c.AppsV1.ReadNamespacedStatefulSetAsync("web", "default");
            return s.Status.Replicas == 1 && s.Status.ReadyReplicas == 1 ? s : null;
        }, "status replicas 1");
        Assert.Equal(sts.Metadata.Generation, sts.Status.ObservedGeneration);
    }

    private const string ParallelManifest = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
        spec:
          serviceName: nginx
          replicas: 3
          podManagementPolicy: Parallel
          updateStrategy:
            type: OnDelete
          persistentVolumeClaimRetentionPolicy:
            whenScaled: Delete
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: nginx
                image: nginx:1.25
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: ["ReadWriteOnce"]
              resources:
                requests:
                  storage: 1Gi
        """;

    [Fact]
    public async Task ParallelOnDeleteAndClaimsOwnedByScaledDownPods()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();
        var apply = await kubectl.RunAsync("apply -f -", stdin: ParallelManifest);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        await WaitForPodsAsync(c, 3, "nginx:1.25");

        // OnDelete: a new template changes no pod until the pod is deleted; its replacement has the new template.
        Assert.Equal(0, (await kubectl.RunAsync("set image sts/web nginx=nginx:1.26")).ExitCode);
        var sts = await WaitForAsync(async () =>
        {
            var s = await c.AppsV1.ReadNamespacedStatefulSetAsync("web", "default");
            return s.Status.ObservedGeneration == s.Metadata.Generation && s.Status.UpdateRevision != s.Status.CurrentRevision ? s : null;
        }, "a new update revision");
        Assert.Equal((3, 0), (sts.Status.CurrentReplicas, sts.Status.UpdatedReplicas));
        Assert.All(await PodsAsync(c), p => Assert.Equal("nginx:1.25", p.Spec.Containers[0].Image));
        Assert.Equal(0, (await kubectl.RunAsync("delete pod web-1 --wait=false")).ExitCode);
        await WaitForAsync(async () =>
        {
            var pods = await PodsAsync(c);
            return pods.Count == 3 && pods.All(Ready) && pods.Single(p => p.Metadata.Name == "web-1").Spec.Containers[0].Image == "nginx:1.26" ? pods : null;
        }, "web-1 recreated with nginx:1.26");
        Assert.Equal("nginx:1.25", (await c.CoreV1.ReadNamespacedPodAsync("web-2", "default")).Spec.Containers[0].Image);

        // Parallel scale-down removes both condemned pods at once; whenScaled: Delete first makes each the controller
        // of its claims, so the garbage collector deletes the claims with the pods. web-0's claim stays, unowned.
        Assert.Equal(0, (await kubectl.RunAsync("scale sts web --replicas 1")).ExitCode);
        await WaitForAsync(async () => (await PodsAsync(c)).Count == 1 ? "" : null, "only web-0 left");
        await WaitForAsync(async () =>
        {
            var claims = (await c.CoreV1.ListNamespacedPersistentVolumeClaimAsync("default")).Items;
            return claims.Count == 1 ? claims : null;
        }, "the scaled-down pods' claims deleted with them");
        Assert.Null((await c.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("www-web-0", "default")).Metadata.OwnerReferences);
    }
}
