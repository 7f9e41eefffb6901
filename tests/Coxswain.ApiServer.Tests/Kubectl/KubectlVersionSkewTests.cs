using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>Older (1.27) and newer (1.33) kubectl against the 1.32 server: basic get and apply.</summary>
public sealed partial class KubectlVersionSkewTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    [Theory]
    [InlineData("27")]
    [InlineData("33")]
    public async Task Get_namespaces_and_tables(string minor)
    {
        var kubectl = Server.Kubectl(Harness.Kubectl.Versioned(minor));
        var ns = await Server.NewNamespaceAsync();
        Assert.Contains($"namespace/{ns}\n", await kubectl.OkAsync("get namespaces -o name"));
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var table = new KubectlTable(await kubectl.OkAsync($"get cm -n {ns}"));
        Assert.Equal("a", table.Rows.Single()[0]);
        Assert.Equal("configmap/a\n", await kubectl.OkAsync($"get cm -n {ns} -o name"));
        Assert.Equal("v", await kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.data.k}}"));
    }

    [Theory]
    [InlineData("27")]
    [InlineData("33")]
    public async Task Create_from_file_without_validation_and_delete(string minor)
    {
        var kubectl = Server.Kubectl(Harness.Kubectl.Versioned(minor));
        var ns = await Server.NewNamespaceAsync();
        Assert.Equal("configmap/a created\n", await kubectl.OkAsync($"create -n {ns} --validate=false -f -", TestObjects.ConfigMapYaml("a")));
        var deleted = await kubectl.OkAsync($"delete cm a -n {ns}");
        Assert.StartsWith("configmap \"a\" deleted", deleted);
    }

    [Theory]
    [InlineData("27")]
    [InlineData("33")]
    public async Task Get_tables_have_server_columns(string minor)
    {
        var kubectl = Server.Kubectl(Harness.Kubectl.Versioned(minor));
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var table = new KubectlTable(await kubectl.OkAsync($"get cm -n {ns}"));
        Assert.Equal(["NAME", "DATA", "AGE"], table.Headers);
    }

    [Theory]
    [InlineData("27")]
    [InlineData("33")]
    public async Task Apply_creates_and_configures(string minor)
    {
        var kubectl = Server.Kubectl(Harness.Kubectl.Versioned(minor));
        var ns = await Server.NewNamespaceAsync();
        Assert.Equal("configmap/a created\n", await kubectl.OkAsync($"apply -n {ns} -f -", TestObjects.ConfigMapYaml("a")));
        Assert.Equal("configmap/a configured\n", await kubectl.OkAsync($"apply -n {ns} -f -", TestObjects.ConfigMapYaml("a", "w")));
        Assert.Equal("w", await kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.data.k}}"));
    }
}
