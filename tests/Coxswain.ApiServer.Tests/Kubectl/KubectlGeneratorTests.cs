using System.Text;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>
/// `kubectl create &lt;generator&gt;`: kubectl 1.32 and 1.33 send these bodies as protobuf
/// (application/vnd.kubernetes.protobuf); 1.27 sends JSON.
/// </summary>
public sealed partial class KubectlGeneratorTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    [Fact]
    public async Task Create_generators_from_kubectl_1_27_send_json()
    {
        var ns = await Server.NewNamespaceAsync();
        var old = Server.Kubectl(Harness.Kubectl.Versioned("27"));
        Assert.Equal("deployment.apps/web created\n", await old.OkAsync($"create deployment web -n {ns} --image=nginx:1.25"));
        Assert.Equal("configmap/cfg created\n", await old.OkAsync($"create configmap cfg -n {ns} --from-literal=a=1"));
        Assert.Equal("1", await Kubectl.OkAsync($"get cm cfg -n {ns} -o jsonpath={{.data.a}}"));
    }
}
