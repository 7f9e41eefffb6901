using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>label, annotate, patch (json, merge, strategic), scale.</summary>
public sealed partial class KubectlPatchTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    private async Task<string> NamespaceWithConfigMapAsync()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        return ns;
    }

    [Fact]
    public async Task Patch_with_malformed_json_is_rejected()
    {
        var ns = await NamespaceWithConfigMapAsync();
        var rv = await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.resourceVersion}}");
        var r = await Kubectl.RunAsync($"patch cm a -n {ns} --type=merge -p '{{\"data\":'");
        Assert.Equal(1, r.ExitCode);
        var strategic = await Kubectl.RunAsync($"patch cm a -n {ns} --type=json -p '{{\"op\":\"replace\"}}'");
        Assert.Equal(1, strategic.ExitCode);
        Assert.Equal(rv, await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.resourceVersion}}"));
    }

    [Fact]
    public async Task Patch_a_missing_object_is_not_found()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"patch cm nope -n {ns} --type=merge -p '{{\"data\":{{\"a\":\"b\"}}}}'");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error from server (NotFound): configmaps \"nope\" not found\n", r.Stderr);
    }

    [Fact]
    public async Task Scale_subresource_reads_as_autoscaling_v1_scale()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        var scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns);
        Assert.Equal("Scale", scale.Kind);
        Assert.Equal("autoscaling/v1", scale.ApiVersion);
        Assert.Equal(3, scale.Spec.Replicas);
        Assert.Equal("web", scale.Metadata.Name);
    }

    [Fact]
    public async Task Scale_subresource_can_be_replaced_with_a_resource_version_precondition()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        var scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns);
        scale.Spec.Replicas = 6;
        var replaced = await client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", ns);
        Assert.Equal(6, replaced.Spec.Replicas);
        Assert.Equal(6, (await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);

        scale.Spec.Replicas = 7; // scale still carries the old resourceVersion
        var (code, status) = await TestObjects.FailureOf(() => client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", ns));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal(6, (await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);
    }

    [Fact]
    public async Task Scale_subresource_reports_the_selector_as_a_string()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        var scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns);
        Assert.Equal("app=web", scale.Status.Selector);
    }
}
