using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Kubectl;

public sealed partial class KubectlDeleteTests
{
    [Fact]
    public async Task A_terminating_namespace_refuses_new_objects()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var cm = TestObjects.ConfigMap("hold");
        cm.Metadata.Finalizers = ["example.com/block"];
        await client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);
        await Kubectl.OkAsync($"delete namespace {ns} --wait=false");

        Assert.True(await TestObjects.EventuallyAsync(async () => (await client.CoreV1.ReadNamespaceAsync(ns)).Status?.Phase == "Terminating"));
        var (code, status) = await TestObjects.FailureOf(() => client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("late"), ns));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, code);
        Assert.Equal($"configmaps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", status.Message);
        var row = new KubectlTable(await Kubectl.OkAsync($"get ns {ns}")).Row(ns);
        Assert.Equal("Terminating", row["STATUS"]);

        await Kubectl.OkAsync($"patch cm hold -n {ns} --type=merge -p '{{\"metadata\":{{\"finalizers\":null}}}}'");
        Assert.True(await TestObjects.EventuallyAsync(() => GoneAsync(() => client.CoreV1.ReadNamespaceAsync(ns))));
    }

    [Fact]
    public async Task Built_in_namespaces_cannot_be_deleted()
    {
        var r = await Kubectl.RunAsync("delete namespace default --wait=false");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error from server (Forbidden): namespaces \"default\" is forbidden: this namespace may not be deleted\n", r.Stderr);
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
