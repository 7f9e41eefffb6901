using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>`kubectl describe` must work (it reads the object, then events by field selector).</summary>
public sealed partial class KubectlDescribeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    [Fact]
    public async Task Describe_pod_prints_its_fields()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("p1", labels: new Dictionary<string, string> { ["app"] = "web" }), ns);

        var r = await Kubectl.RunAsync($"describe pod p1 -n {ns}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        Assert.Matches(@"(?m)^Name:\s+p1$", r.Stdout);
        Assert.Matches($@"(?m)^Namespace:\s+{ns}$", r.Stdout);
        Assert.Matches(@"(?m)^Labels:\s+app=web$", r.Stdout);
        Assert.Matches(@"(?m)^Status:\s+Pending$", r.Stdout);
        Assert.Matches(@"(?m)^Containers:\n  app:\n", r.Stdout);
        Assert.Matches(@"(?m)^    Image:\s+nginx:1\.25$", r.Stdout);
        Assert.Matches(@"(?m)^Events:\s+<none>$", r.Stdout);
    }

    [Fact]
    public async Task Describe_deployment_prints_replicas_strategy_and_template()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);

        var r = await Kubectl.RunAsync($"describe deployment web -n {ns}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        Assert.Matches(@"(?m)^Name:\s+web$", r.Stdout);
        Assert.Matches(@"(?m)^Selector:\s+app=web$", r.Stdout);
        Assert.Matches(@"(?m)^Replicas:\s+3 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$", r.Stdout);
        Assert.Matches(@"(?m)^    Image:\s+nginx:1\.25$", r.Stdout);
    }

    [Fact]
    public async Task Describe_a_missing_object_is_not_found()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"describe pod nope -n {ns}");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error from server (NotFound): pods \"nope\" not found\n", r.Stderr);
    }

    [Fact]
    public async Task Describe_deployment_shows_the_defaulted_strategy()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);

        var output = await Kubectl.OkAsync($"describe deployment web -n {ns}");
        Assert.Matches(@"(?m)^StrategyType:\s+RollingUpdate$", output);
        Assert.Matches(@"(?m)^MinReadySeconds:\s+0$", output);
        Assert.Matches(@"(?m)^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$", output);
        Assert.Matches(@"(?m)^    Port:\s+80/TCP$", output);
    }

    [Fact]
    public async Task Describe_namespace_prints_status_quota_and_limits()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"describe namespace {ns}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches($@"(?m)^Name:\s+{ns}$", r.Stdout);
        Assert.Matches(@"(?m)^Status:\s+Active$", r.Stdout);
        Assert.Contains("No resource quota.", r.Stdout);
        Assert.Contains("No LimitRange resource.", r.Stdout);
    }

    [Fact]
    public async Task Describe_pod_shows_defaulted_fields()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("p1"), ns);

        var output = await Kubectl.OkAsync($"describe pod p1 -n {ns}");
        Assert.Matches(@"(?m)^Priority:\s+0$", output);
        Assert.Matches(@"(?m)^Service Account:\s+default$", output);
        Assert.Matches(@"(?m)^QoS Class:\s+BestEffort$", output);
    }

    [Fact]
    public async Task Namespaces_carry_the_metadata_name_label()
    {
        var ns = await Server.NewNamespaceAsync();
        var output = await Kubectl.OkAsync($"describe namespace {ns}");
        Assert.Matches($@"(?m)^Labels:\s+kubernetes\.io/metadata\.name={ns}$", output);
    }
}
