using System.Text.RegularExpressions;
using Coxswain.ApiServer.Tests.Harness;

namespace Coxswain.ApiServer.Tests.Kubectl;

public sealed partial class KubectlDiscoveryTests
{
    [Fact]
    public async Task Explain_a_kind_in_a_group()
    {
        var output = await Kubectl.OkAsync("explain deployment.spec.replicas");
        Assert.StartsWith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n", output);
    }

    [Fact]
    public async Task Explain_prints_fields_and_descriptions()
    {
        var output = await Kubectl.OkAsync("explain pods.spec.containers");
        Assert.StartsWith("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n", output);
        Assert.Contains("DESCRIPTION:\n    List of containers belonging to the pod.", output);
        Assert.Contains("FIELDS:\n", output);
        Assert.Contains("\n  image\t<string>\n", output);
        Assert.Contains("\n  name\t<string> -required-\n", output);
    }
}
