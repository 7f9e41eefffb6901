using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

public sealed partial class KubectlVersionSkewTests
{
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
}
