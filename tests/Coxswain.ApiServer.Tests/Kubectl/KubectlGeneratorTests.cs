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

    [Fact]
    public async Task Create_configmap_from_literals()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create configmap cfg -n {ns} --from-literal=a=1 --from-literal=b=two");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap/cfg created\n", r.Stdout);
        using var client = Server.Client();
        var cm = await client.CoreV1.ReadNamespacedConfigMapAsync("cfg", ns);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "two" }, cm.Data);
    }

    [Fact]
    public async Task Create_generators_from_kubectl_1_33()
    {
        var ns = await Server.NewNamespaceAsync();
        var newer = Server.Kubectl(Harness.Kubectl.Versioned("33"));
        Assert.Equal("configmap/cfg created\n", await newer.OkAsync($"create configmap cfg -n {ns} --from-literal=a=1"));
        Assert.Equal("1", await Kubectl.OkAsync($"get cm cfg -n {ns} -o jsonpath={{.data.a}}"));
    }

    [Fact]
    public async Task Create_generators_with_output_yaml_and_server_dry_run()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create configmap cfg -n {ns} --from-literal=a=1 --dry-run=server -o name");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap/cfg\n", r.Stdout);
        Assert.Equal(1, (await Kubectl.RunAsync($"get cm cfg -n {ns}")).ExitCode);
    }

    [Fact]
    public async Task Create_job()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create job hello -n {ns} --image=busybox -- echo hi");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("job.batch/hello created\n", r.Stdout);
        using var client = Server.Client();
        var job = await client.BatchV1.ReadNamespacedJobAsync("hello", ns);
        var c = job.Spec.Template.Spec.Containers.Single();
        Assert.Equal("hello", c.Name);
        Assert.Equal(["echo", "hi"], c.Command);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
    }

    [Fact]
    public async Task Create_service_clusterip()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create service clusterip web -n {ns} --tcp=80:8080");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("service/web created\n", r.Stdout);
        using var client = Server.Client();
        var svc = await client.CoreV1.ReadNamespacedServiceAsync("web", ns);
        Assert.Equal("ClusterIP", svc.Spec.Type);
        Assert.Equal("web", svc.Spec.Selector["app"]);
        var port = svc.Spec.Ports.Single();
        Assert.Equal(80, port.Port);
        Assert.Equal("8080", port.TargetPort.Value);
        Assert.Equal("80-8080", port.Name);
        Assert.Equal("TCP", port.Protocol);
    }

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
