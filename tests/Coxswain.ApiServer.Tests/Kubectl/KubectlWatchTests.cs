using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>kubectl get -w and kubectl wait.</summary>
public sealed partial class KubectlWatchTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Get_watch_only_prints_changes_after_the_list()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);

        await using var watch = Kubectl.Start($"get cm -n {ns} --watch-only -o name");
        await Task.Delay(1500); // kubectl has listed and started watching
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("b"), ns);
        Assert.Equal("configmap/b", await watch.ReadLineAsync());
    }

    [Fact]
    public async Task Wait_for_delete_returns_when_the_object_is_gone()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        await using var wait = Kubectl.Start($"wait --for=delete configmap/a -n {ns} --timeout=30s");
        await Task.Delay(1000);
        Assert.False(wait.HasExited, "kubectl wait returned before the delete: " + wait.Stdout + wait.Stderr);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", ns);
        var r = await wait.WaitForExitAsync();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap/a condition met\n", r.Stdout);
    }

    [Fact]
    public async Task Wait_for_delete_of_a_missing_object_succeeds_at_once()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"wait --for=delete configmap/nope -n {ns} --timeout=10s");
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [Fact]
    public async Task Wait_for_condition_returns_when_status_reports_it()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        await using var wait = Kubectl.Start($"wait --for=condition=Available deployment/web -n {ns} --timeout=30s");
        await Task.Delay(1000);
        Assert.False(wait.HasExited, "kubectl wait returned before the condition: " + wait.Stdout + wait.Stderr);

        var current = await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        current.Status = new V1DeploymentStatus
        {
            Conditions = [new V1DeploymentCondition { Type = "Available", Status = "True", Reason = "MinimumReplicasAvailable", Message = "ok" }],
        };
        await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(current, "web", ns);
        var r = await wait.WaitForExitAsync();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("deployment.apps/web condition met\n", r.Stdout);
    }

    [Fact]
    public async Task Wait_for_jsonpath_returns_when_the_value_matches()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("p", nodeName: "node-1"), ns);
        await using var wait = Kubectl.Start($"wait --for=jsonpath={{.status.phase}}=Running pod/p -n {ns} --timeout=30s");
        await Task.Delay(1000);
        Assert.False(wait.HasExited, "kubectl wait returned early: " + wait.Stdout + wait.Stderr);

        var pod = await client.CoreV1.ReadNamespacedPodAsync("p", ns);
        pod.Status ??= new V1PodStatus();
        pod.Status.Phase = "Running";
        await client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, "p", ns);
        var r = await wait.WaitForExitAsync();
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("pod/p condition met\n", r.Stdout);
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
}
