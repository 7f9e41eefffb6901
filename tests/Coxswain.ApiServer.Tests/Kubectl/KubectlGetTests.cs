using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>`kubectl get`: server-side tables, output formats, selectors (upstream 1.32 behaviour).</summary>
public sealed partial class KubectlGetTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    private async Task<string> NamespaceWithConfigMapsAsync()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a",
            new Dictionary<string, string> { ["env"] = "prod", ["tier"] = "fe" },
            new Dictionary<string, string> { ["k1"] = "1", ["k2"] = "2" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("b",
            new Dictionary<string, string> { ["env"] = "dev", ["tier"] = "be" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("c",
            new Dictionary<string, string> { ["env"] = "qa" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("d"), ns);
        return ns;
    }

    [Fact]
    public async Task Get_output_name_json_yaml_jsonpath_and_custom_columns()
    {
        var ns = await NamespaceWithConfigMapsAsync();
        Assert.Equal("configmap/a\nconfigmap/b\nconfigmap/c\nconfigmap/d\n", await Kubectl.OkAsync($"get cm -n {ns} -o name"));
        Assert.Equal("a b c d", await Kubectl.OkAsync($"get cm -n {ns} -o jsonpath={{.items[*].metadata.name}}"));
        Assert.Equal("prod", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.labels.env}}"));

        var one = JsonNode.Parse(await Kubectl.OkAsync($"get cm a -n {ns} -o json"))!;
        Assert.Equal("ConfigMap", (string?)one["kind"]);
        Assert.Equal("v1", (string?)one["apiVersion"]);
        Assert.Equal("a", (string?)one["metadata"]!["name"]);
        Assert.Equal(ns, (string?)one["metadata"]!["namespace"]);
        Assert.Equal("1", (string?)one["data"]!["k1"]);
        Assert.False(string.IsNullOrEmpty((string?)one["metadata"]!["uid"]));
        Assert.False(string.IsNullOrEmpty((string?)one["metadata"]!["resourceVersion"]));

        var list = JsonNode.Parse(await Kubectl.OkAsync($"get cm -n {ns} -o json"))!;
        Assert.Equal("List", (string?)list["kind"]);
        Assert.Equal(4, list["items"]!.AsArray().Count);
        Assert.All(list["items"]!.AsArray(), i => Assert.Equal("ConfigMap", (string?)i!["kind"]));

        var yaml = await Kubectl.OkAsync($"get cm c -n {ns} -o yaml");
        Assert.StartsWith("apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  creationTimestamp: \"", yaml);
        Assert.Contains("\n  labels:\n    env: qa\n  name: c\n  namespace: " + ns + "\n  resourceVersion: \"", yaml);

        var custom = await Kubectl.OkAsync($"get cm -n {ns} -o custom-columns=NAME:.metadata.name,ENV:.metadata.labels.env");
        Assert.Equal("NAME   ENV\na      prod\nb      dev\nc      qa\nd      <none>\n", custom);
    }

    [Fact]
    public async Task Get_sort_by_uses_the_full_objects()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("x", data: new Dictionary<string, string> { ["k"] = "3" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("y", data: new Dictionary<string, string> { ["k"] = "1" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("z", data: new Dictionary<string, string> { ["k"] = "2" }), ns);
        var table = new KubectlTable(await Kubectl.OkAsync($"get cm -n {ns} --sort-by=.data.k"));
        Assert.Equal(["y", "z", "x"], table.Column("NAME"));
    }

    [Fact]
    public async Task Get_a_missing_object_is_not_found()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"get configmap nope -n {ns}");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Equal("Error from server (NotFound): configmaps \"nope\" not found\n", r.Stderr);
    }

    [Fact]
    public async Task Get_in_an_empty_namespace_prints_no_resources_found()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"get deployments -n {ns}");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Equal($"No resources found in {ns} namespace.\n", r.Stderr);
    }

    [Fact]
    public async Task Get_all_uses_the_all_category()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("cfg"), ns);
        var output = await Kubectl.OkAsync($"get all -n {ns} -o name");
        Assert.Contains("deployment.apps/web", output);
        Assert.DoesNotContain("configmap", output);
    }

    [Fact]
    public async Task Get_cluster_scoped_kinds_by_short_name()
    {
        var ns = await Server.NewNamespaceAsync();
        var names = await Kubectl.OkAsync("get ns -o name");
        Assert.Contains($"namespace/{ns}\n", names);
        Assert.Contains("namespace/default\n", names);
        var r = await Kubectl.RunAsync("get no");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("No resources found\n", r.Stderr);
    }
}
