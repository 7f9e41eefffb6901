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
}
