using System.Text;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

public sealed partial class KubectlGeneratorTests
{
    [Fact]
    public async Task Create_deployment()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create deployment web -n {ns} --image=nginx:1.25 --replicas=2 --port=80");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("deployment.apps/web created\n", r.Stdout);
        using var client = Server.Client();
        var d = await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(2, d.Spec.Replicas);
        Assert.Equal("web", d.Spec.Selector.MatchLabels["app"]);
        var c = d.Spec.Template.Spec.Containers.Single();
        Assert.Equal("nginx", c.Name);
        Assert.Equal("nginx:1.25", c.Image);
        Assert.Equal(80, c.Ports.Single().ContainerPort);
        Assert.Equal("kubectl-create", d.Metadata.ManagedFields?.Single().Manager);
    }

    [Fact]
    public async Task Create_namespace()
    {
        var name = ServerFixture.NewNamespace("gen");
        var r = await Kubectl.RunAsync($"create namespace {name}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"namespace/{name} created\n", r.Stdout);
        Assert.Equal("Active", await Kubectl.OkAsync($"get ns {name} -o jsonpath={{.status.phase}}"));
    }

    [Fact]
    public async Task Create_secret_generic()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create secret generic creds -n {ns} --from-literal=password=s3cr3t");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("secret/creds created\n", r.Stdout);
        using var client = Server.Client();
        var s = await client.CoreV1.ReadNamespacedSecretAsync("creds", ns);
        Assert.Equal("Opaque", s.Type);
        Assert.Equal("s3cr3t", Encoding.UTF8.GetString(s.Data["password"]));
        Assert.Equal("czNjcjN0", await Kubectl.OkAsync($"get secret creds -n {ns} -o jsonpath={{.data.password}}"));
    }
}
