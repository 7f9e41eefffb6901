using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Kubectl;

public sealed partial class KubectlWatchTests
{
    [Fact]
    public async Task Get_watch_of_deployments_prints_table_rows()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        await using var watch = Kubectl.Start($"get deploy -n {ns} -w");
        Assert.Equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], Cells(await watch.ReadLineAsync()));
        Assert.Equal(["web", "0/3", "0", "0"], Cells(await watch.ReadLineAsync())[..4]);
        await Kubectl.OkAsync($"scale deploy web -n {ns} --replicas=5");
        Assert.Equal(["web", "0/5", "0", "0"], Cells(await watch.ReadLineAsync())[..4]);
    }

    [Fact]
    public async Task Get_watch_of_one_name_starts_with_its_current_state()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("other"), ns);

        await using var watch = Kubectl.Start($"get cm a -n {ns} -w -o name");
        Assert.Equal("configmap/a", await watch.ReadLineAsync());
        var other = await client.CoreV1.ReadNamespacedConfigMapAsync("other", ns);
        other.Data["x"] = "y";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(other, "other", ns);
        var a = await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns);
        a.Data["x"] = "y";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(a, "a", ns);
        // Only a's change arrives: the watch is filtered by metadata.name.
        Assert.Equal("configmap/a", await watch.ReadLineAsync());
    }

    [Fact]
    public async Task Get_watch_prints_a_row_per_change()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);

        await using var watch = Kubectl.Start($"get cm -n {ns} -w");
        Assert.Equal(["NAME", "DATA", "AGE"], Cells(await watch.ReadLineAsync()));
        var first = Cells(await watch.ReadLineAsync());
        Assert.Equal("a", first[0]);
        Assert.Equal("1", first[1]);

        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("b", data: new Dictionary<string, string> { ["x"] = "1", ["y"] = "2" }), ns);
        var added = Cells(await watch.ReadLineAsync());
        Assert.Equal(["b", "2"], added[..2]);

        var a = await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns);
        a.Data["more"] = "x";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(a, "a", ns);
        var modified = Cells(await watch.ReadLineAsync());
        Assert.Equal(["a", "2"], modified[..2]);
    }

    [Fact]
    public async Task Get_watch_with_output_watch_events_names_each_event()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);

        await using var watch = Kubectl.Start($"get cm -n {ns} -w --output-watch-events");
        Assert.Equal(["EVENT", "NAME", "DATA", "AGE"], Cells(await watch.ReadLineAsync()));
        Assert.Equal(["ADDED", "a", "1"], Cells(await watch.ReadLineAsync())[..3]);

        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("b"), ns);
        Assert.Equal(["ADDED", "b", "1"], Cells(await watch.ReadLineAsync())[..3]);
        var b = await client.CoreV1.ReadNamespacedConfigMapAsync("b", ns);
        b.Data["k2"] = "v2";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(b, "b", ns);
        Assert.Equal(["MODIFIED", "b", "2"], Cells(await watch.ReadLineAsync())[..3]);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", ns);
        Assert.Equal(["DELETED", "a", "1"], Cells(await watch.ReadLineAsync())[..3]);
    }

    [Fact]
    public async Task Wait_times_out_with_an_error()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var r = await Kubectl.RunAsync($"wait --for=delete configmap/a -n {ns} --timeout=2s");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: timed out waiting for the condition on configmaps/a\n", r.Stderr);
    }
}
