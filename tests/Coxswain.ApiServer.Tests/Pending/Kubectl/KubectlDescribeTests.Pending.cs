using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

public sealed partial class KubectlDescribeTests
{
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
