using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Controllers.Namespace;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Tests.GarbageCollector;

/// <summary>
/// The garbage collector and namespace controller against a real `cox server` running only them: ownership between
/// objects of kinds no workload controller touches (ConfigMaps, Secrets) is collected, and a namespace held by a
/// finalizer on its content reports why in its conditions until the finalizer is removed.
/// </summary>
public sealed class GarbageCollectorIntegrationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task CollectsDependentsOfAnyKindAndFinalizesNamespaces()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--no-scheduler", "--controllers", "garbagecollector,namespace");
        using var c = server.Client();
        var kubectl = server.Kubectl();
        await kubectl.OkAsync("create namespace gc");
        await kubectl.OkAsync("create configmap owner -n gc --from-literal=a=b");
        var owner = await c.CoreV1.ReadNamespacedConfigMapAsync("owner", "gc");
        var ownerRef = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid };
        await c.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "dep", OwnerReferences = [ownerRef] } }, "gc");
        // A dependent whose owner never existed (wrong uid) goes too, after the collector checks the owner.
        var ghost = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = "no-such-uid" };
        await c.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "ghost", OwnerReferences = [ghost] } }, "gc");

        await Until(async () => !(await c.CoreV1.ListNamespacedSecretAsync("gc")).Items.Any(s => s.Metadata.Name == "ghost"), "the ghost's dependent collected");
        Assert.Contains((await c.CoreV1.ListNamespacedSecretAsync("gc")).Items, s => s.Metadata.Name == "dep");

        await kubectl.OkAsync("delete configmap owner -n gc");
        await Until(async () => !(await c.CoreV1.ListNamespacedSecretAsync("gc")).Items.Any(s => s.Metadata.Name == "dep"), "dep collected after its owner");

        // A namespace whose content is held by a finalizer stays Terminating and says why.
        await c.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "held", Finalizers = ["example.com/hold"] } }, "gc");
        await kubectl.OkAsync("delete namespace gc --wait=false");
        await Until(async () => (await c.CoreV1.ReadNamespaceAsync("gc")).Status?.Conditions?.Any(x =>
            x.Type == NamespaceConditions.FinalizersRemaining && x.Status == "True" && x.Message.Contains("example.com/hold", StringComparison.Ordinal)) == true,
            "the FinalizersRemaining condition");
        Assert.Equal("Terminating", (await c.CoreV1.ReadNamespaceAsync("gc")).Status.Phase);

        var patch = await kubectl.RunArgsAsync(["patch", "configmap", "held", "-n", "gc", "--type=merge", "-p", "{\"metadata\":{\"finalizers\":null}}"]);
        Assert.True(patch.ExitCode == 0, patch.ToString());
        await Until(async () => !(await c.CoreV1.ListNamespaceAsync()).Items.Any(n => n.Metadata.Name == "gc"), "namespace gc deleted");
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
