using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Kubectl;

public sealed partial class KubectlGetTests
{
    [Fact]
    public async Task Get_secrets_namespaces_and_jobs_print_their_columns()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "s" },
            StringData = new Dictionary<string, string> { ["password"] = "x" },
        }, ns);
        await client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "j" },
            Spec = new V1JobSpec
            {
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "c", Image = "busybox" }] },
                },
            },
        }, ns);

        var secrets = new KubectlTable(await Kubectl.OkAsync($"get secrets -n {ns}"));
        Assert.Equal(["NAME", "TYPE", "DATA", "AGE"], secrets.Headers);
        Assert.Equal("Opaque", secrets.Row("s")["TYPE"]);
        Assert.Equal("1", secrets.Row("s")["DATA"]);

        var namespaces = new KubectlTable(await Kubectl.OkAsync($"get namespace {ns}"));
        Assert.Equal(["NAME", "STATUS", "AGE"], namespaces.Headers);
        Assert.Equal("Active", namespaces.Row(ns)["STATUS"]);

        var jobs = new KubectlTable(await Kubectl.OkAsync($"get jobs -n {ns} -o wide"));
        Assert.Equal(["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"], jobs.Headers);
        var job = jobs.Row("j");
        Assert.Equal("Running", job["STATUS"]);
        Assert.Equal("0/1", job["COMPLETIONS"]);
        Assert.Equal("", job["DURATION"]);
        Assert.Equal("busybox", job["IMAGES"]);
        Assert.StartsWith("batch.kubernetes.io/controller-uid=", job["SELECTOR"]);
    }

    [Fact]
    public async Task Get_service_shows_an_allocated_cluster_ip()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, ns);
        var row = new KubectlTable(await Kubectl.OkAsync($"get svc web -n {ns}")).Row("web");
        Assert.Equal("ClusterIP", row["TYPE"]);
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", row["CLUSTER-IP"]);
        Assert.Equal("80/TCP", row["PORT(S)"]);
    }

    [Fact]
    public async Task Get_services_prints_type_ips_and_ports()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "headless" },
            Spec = new V1ServiceSpec
            {
                ClusterIP = "None",
                Selector = new Dictionary<string, string> { ["app"] = "web" },
                Ports = [new V1ServicePort { Port = 80, Protocol = "TCP" }],
            },
        }, ns);
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "external" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "example.com" },
        }, ns);

        var table = new KubectlTable(await Kubectl.OkAsync($"get services -n {ns} -o wide"));
        Assert.Equal(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"], table.Headers);
        var headless = table.Row("headless");
        Assert.Equal("ClusterIP", headless["TYPE"]);
        Assert.Equal("None", headless["CLUSTER-IP"]);
        Assert.Equal("<none>", headless["EXTERNAL-IP"]);
        Assert.Equal("80/TCP", headless["PORT(S)"]);
        Assert.Equal("app=web", headless["SELECTOR"]);
        var external = table.Row("external");
        Assert.Equal("ExternalName", external["TYPE"]);
        Assert.Equal("<none>", external["CLUSTER-IP"]);
        Assert.Equal("example.com", external["EXTERNAL-IP"]);
        Assert.Equal("<none>", external["PORT(S)"]);
        Assert.Equal("<none>", external["SELECTOR"]);
    }
}
