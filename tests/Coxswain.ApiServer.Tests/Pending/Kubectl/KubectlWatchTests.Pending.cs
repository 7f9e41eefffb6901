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
