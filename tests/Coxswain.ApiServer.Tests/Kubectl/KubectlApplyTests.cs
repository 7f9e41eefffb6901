using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>create -f, apply (client-side and server-side), diff, edit, --dry-run=server.</summary>
public sealed partial class KubectlApplyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    private static readonly string MultiDocument = TestObjects.ConfigMapYaml("a") + "---\n" + TestObjects.DeploymentYaml("web");

    [Fact]
    public async Task Create_without_client_validation_creates_each_object()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create -n {ns} --validate=false -f -", MultiDocument);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap/a created\ndeployment.apps/web created\n", r.Stdout);
    }

    [Fact]
    public async Task Create_an_existing_object_is_already_exists()
    {
        var ns = await Server.NewNamespaceAsync();
        await Kubectl.OkAsync($"create -n {ns} --validate=false -f -", TestObjects.ConfigMapYaml("a"));
        var r = await Kubectl.RunAsync($"create -n {ns} --validate=false -f -", TestObjects.ConfigMapYaml("a", "other"));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error from server (AlreadyExists): error when creating \"STDIN\": configmaps \"a\" already exists\n", r.Stderr);
        Assert.Equal("v", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.data.k}}"));
    }

    [Fact]
    public async Task Diff_of_a_new_object_shows_it_whole_and_creates_nothing()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"diff -n {ns} -f -", TestObjects.ConfigMapYaml("fresh"));
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("+  name: fresh\n", r.Stdout);
        var get = await Kubectl.RunAsync($"get cm fresh -n {ns}");
        Assert.Equal(1, get.ExitCode);
    }

    [Fact]
    public async Task Create_with_server_dry_run_persists_nothing()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create -n {ns} --validate=false --dry-run=server -f -", MultiDocument);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap/a created (server dry run)\ndeployment.apps/web created (server dry run)\n", r.Stdout);
        var get = await Kubectl.RunAsync($"get cm,deploy -n {ns} -o name");
        Assert.Equal("", get.Stdout);
    }

    [Fact]
    public async Task Server_dry_run_of_a_create_returns_the_object_the_server_would_store()
    {
        var ns = await Server.NewNamespaceAsync();
        var json = JsonNode.Parse(await Kubectl.OkAsync($"create -n {ns} --validate=false --dry-run=server -o json -f -", TestObjects.ConfigMapYaml("a")))!;
        Assert.False(string.IsNullOrEmpty((string?)json["metadata"]!["uid"]));
        Assert.False(string.IsNullOrEmpty((string?)json["metadata"]!["creationTimestamp"]));
        Assert.Null(json["metadata"]!["resourceVersion"]);
    }
}
