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
}
