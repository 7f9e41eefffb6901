using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>kubectl delete: default, cascade policies, grace periods, finalizers, namespaces.</summary>
public sealed partial class KubectlDeleteTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    private static async Task<bool> GoneAsync(Func<Task> read)
    {
        try
        {
            await read();
            return false;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return true;
        }
    }

    /// <summary>A Deployment and a ReplicaSet it owns (as the deployment controller would make it).</summary>
    private async Task<(string Ns, V1Deployment Owner)> OwnerAndDependentAsync()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var owner = await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        var template = TestObjects.Deployment("web").Spec.Template;
        await client.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta
            {
                Name = "web-123",
                Labels = new Dictionary<string, string> { ["app"] = "web" },
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "apps/v1", Kind = "Deployment", Name = "web", Uid = owner.Metadata.Uid,
                        Controller = true, BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = new V1ReplicaSetSpec { Replicas = 0, Selector = owner.Spec.Selector, Template = template },
        }, ns);
        return (ns, owner);
    }

    [Fact]
    public async Task Delete_removes_the_object()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var r = await Kubectl.RunAsync($"delete configmap a -n {ns}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap \"a\" deleted\n", r.Stdout);
        Assert.True(await GoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("a", ns)));

        var again = await Kubectl.RunAsync($"delete configmap a -n {ns}");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("Error from server (NotFound): configmaps \"a\" not found\n", again.Stderr);
        Assert.Equal(0, (await Kubectl.RunAsync($"delete configmap a -n {ns} --ignore-not-found")).ExitCode);
    }

    [Fact]
    public async Task Delete_cascade_foreground_marks_the_owner_while_dependents_remain()
    {
        var (ns, _) = await OwnerAndDependentAsync();
        var r = await Kubectl.RunAsync($"delete deployment web -n {ns} --cascade=foreground --wait=false");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var client = Server.Client();
        // Either still terminating with the foregroundDeletion finalizer, or already gone with its dependents.
        try
        {
            var owner = await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
            Assert.NotNull(owner.Metadata.DeletionTimestamp);
            Assert.Contains("foregroundDeletion", owner.Metadata.Finalizers);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            Assert.True(await GoneAsync(() => client.AppsV1.ReadNamespacedReplicaSetAsync("web-123", ns)));
        }
    }

    [Fact]
    public async Task Delete_of_an_unscheduled_pod_is_immediate()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("p"), ns);
        var r = await Kubectl.RunAsync($"delete pod p -n {ns} --timeout=20s");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("pod \"p\" deleted\n", r.Stdout);
        Assert.True(await GoneAsync(() => client.CoreV1.ReadNamespacedPodAsync("p", ns)));
    }

    [Fact]
    public async Task Delete_of_a_bound_pod_waits_for_the_grace_period()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("p", nodeName: "node-1"), ns);
        var r = await Kubectl.RunAsync($"delete pod p -n {ns} --grace-period=45 --wait=false");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("pod \"p\" deleted\n", r.Stdout);

        var pod = await client.CoreV1.ReadNamespacedPodAsync("p", ns);
        Assert.NotNull(pod.Metadata.DeletionTimestamp);
        Assert.Equal(45, pod.Metadata.DeletionGracePeriodSeconds);
    }

    [Fact]
    public async Task Force_delete_with_grace_period_0_removes_a_bound_pod_at_once()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("p", nodeName: "node-1"), ns);
        var r = await Kubectl.RunAsync($"delete pod p -n {ns} --grace-period=0 --force");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("pod \"p\" force deleted\n", r.Stdout);
        Assert.Contains("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated.", r.Stderr);
        Assert.True(await GoneAsync(() => client.CoreV1.ReadNamespacedPodAsync("p", ns)));
    }

    [Fact]
    public async Task Delete_waits_for_a_finalizer_removed_by_someone_else()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var cm = TestObjects.ConfigMap("f");
        cm.Metadata.Finalizers = ["example.com/block"];
        await client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);

        await using var delete = Kubectl.Start($"delete cm f -n {ns} --timeout=30s");
        await TestObjects.EventuallyAsync(async () => (await client.CoreV1.ReadNamespacedConfigMapAsync("f", ns)).Metadata.DeletionTimestamp != null);
        await Task.Delay(500);
        Assert.False(delete.HasExited, "kubectl delete returned before the finalizer was removed");
        var current = await client.CoreV1.ReadNamespacedConfigMapAsync("f", ns);
        current.Metadata.Finalizers = [];
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(current, "f", ns);
        var r = await delete.WaitForExitAsync();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap \"f\" deleted\n", r.Stdout);
    }

    [Fact]
    public async Task A_pod_being_deleted_shows_terminating()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("p", nodeName: "node-1"), ns);
        await Kubectl.OkAsync($"delete pod p -n {ns} --grace-period=45 --wait=false");
        var row = new KubectlTable(await Kubectl.OkAsync($"get pod p -n {ns}")).Row("p");
        Assert.Equal("Terminating", row["STATUS"]);
    }

    [Fact]
    public async Task Delete_by_selector_and_all()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("x", new Dictionary<string, string> { ["g"] = "1" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("y", new Dictionary<string, string> { ["g"] = "1" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("z"), ns);
        Assert.Equal("configmap \"x\" deleted\nconfigmap \"y\" deleted\n", await Kubectl.OkAsync($"delete cm -n {ns} -l g=1"));
        Assert.Equal("configmap/z\n", await Kubectl.OkAsync($"get cm -n {ns} -o name"));
        Assert.Equal("configmap \"z\" deleted\n", await Kubectl.OkAsync($"delete cm -n {ns} --all"));
    }

    [Fact]
    public async Task Delete_cascade_background_garbage_collects_the_dependent()
    {
        var (ns, _) = await OwnerAndDependentAsync();
        var r = await Kubectl.RunAsync($"delete deployment web -n {ns} --cascade=background --timeout=20s");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("deployment.apps \"web\" deleted\n", r.Stdout);
        using var client = Server.Client();
        Assert.True(await GoneAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)));
        Assert.True(await TestObjects.EventuallyAsync(() => GoneAsync(() => client.AppsV1.ReadNamespacedReplicaSetAsync("web-123", ns))),
            "the owned ReplicaSet was not garbage collected");
    }

    [Fact]
    public async Task Delete_cascade_foreground_deletes_dependents_first()
    {
        var (ns, _) = await OwnerAndDependentAsync();
        var r = await Kubectl.RunAsync($"delete deployment web -n {ns} --cascade=foreground --timeout=20s");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("deployment.apps \"web\" deleted\n", r.Stdout);
        using var client = Server.Client();
        Assert.True(await GoneAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)));
        Assert.True(await GoneAsync(() => client.AppsV1.ReadNamespacedReplicaSetAsync("web-123", ns)));
    }

    [Fact]
    public async Task Delete_cascade_orphan_leaves_the_dependent_without_owner()
    {
        var (ns, _) = await OwnerAndDependentAsync();
        var r = await Kubectl.RunAsync($"delete deployment web -n {ns} --cascade=orphan --timeout=20s");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("deployment.apps \"web\" deleted\n", r.Stdout);
        using var client = Server.Client();
        Assert.True(await GoneAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)));
        Assert.True(await TestObjects.EventuallyAsync(async () =>
            (await client.AppsV1.ReadNamespacedReplicaSetAsync("web-123", ns)).Metadata.OwnerReferences is null or { Count: 0 }));
    }

    [Fact]
    public async Task Delete_namespace_removes_everything_in_it()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } }, ns);

        var r = await Kubectl.RunAsync($"delete namespace {ns} --timeout=30s");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"namespace \"{ns}\" deleted\n", r.Stdout);
        Assert.True(await GoneAsync(() => client.CoreV1.ReadNamespaceAsync(ns)));
        Assert.Empty((await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items);
        Assert.Empty((await client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items);
        Assert.Empty((await client.CoreV1.ListNamespacedSecretAsync(ns)).Items);
    }

    [Fact]
    public async Task Delete_with_a_finalizer_waits_until_the_finalizer_is_removed()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var cm = TestObjects.ConfigMap("f");
        cm.Metadata.Finalizers = ["example.com/block"];
        await client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);

        var r = await Kubectl.RunAsync($"delete cm f -n {ns} --wait=false");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap \"f\" deleted\n", r.Stdout);
        var terminating = await client.CoreV1.ReadNamespacedConfigMapAsync("f", ns);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal(0, terminating.Metadata.DeletionGracePeriodSeconds);
        Assert.Equal(["example.com/block"], terminating.Metadata.Finalizers);

        // Deleting again changes nothing; the object still waits.
        await Kubectl.OkAsync($"delete cm f -n {ns} --wait=false");
        Assert.Equal(terminating.Metadata.ResourceVersion, (await client.CoreV1.ReadNamespacedConfigMapAsync("f", ns)).Metadata.ResourceVersion);

        Assert.Equal("configmap/f patched\n", await Kubectl.OkAsync($"patch cm f -n {ns} --type=merge -p '{{\"metadata\":{{\"finalizers\":null}}}}'"));
        Assert.True(await GoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("f", ns)));
    }

    [Fact]
    public async Task No_new_finalizers_on_an_object_being_deleted()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var cm = TestObjects.ConfigMap("f");
        cm.Metadata.Finalizers = ["example.com/block"];
        await client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);
        await Kubectl.OkAsync($"delete cm f -n {ns} --wait=false");
        var r = await Kubectl.RunAsync($"patch cm f -n {ns} --type=json -p '[{{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"example.com/more\"}}]'");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Forbidden: no new finalizers can be added if the object is being deleted", r.Stderr);
    }
}
