using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Client;

/// <summary>What the server fills in on create (upstream defaulting and registry strategies).</summary>
public sealed partial class DefaultsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    [Fact]
    public async Task Pod_status_starts_pending_with_a_qos_class()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var pod = TestObjects.Pod("p");
        pod.Status = new V1PodStatus { Phase = "Running", PodIP = "10.0.0.9" };
        var made = await client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        Assert.Equal("Pending", made.Status?.Phase);
        Assert.Null(made.Status?.PodIP);
        Assert.Equal("BestEffort", made.Status?.QosClass);
    }

    [Fact]
    public async Task Built_in_namespaces_are_active()
    {
        using var client = Server.Client();
        foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            var ns = await client.CoreV1.ReadNamespaceAsync(name);
            Assert.Equal("Active", ns.Status?.Phase);
            Assert.Equal(name, ns.Metadata.Labels?["kubernetes.io/metadata.name"]);
        }
    }

    [Fact]
    public async Task Deployment_defaults()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var d = TestObjects.Deployment("web");
        d.Spec.Replicas = null;
        var made = await client.AppsV1.CreateNamespacedDeploymentAsync(d, ns);
        Assert.Equal(1, made.Spec.Replicas);
        Assert.Equal("RollingUpdate", made.Spec.Strategy?.Type);
        Assert.Equal("25%", made.Spec.Strategy?.RollingUpdate?.MaxUnavailable?.Value);
        Assert.Equal("25%", made.Spec.Strategy?.RollingUpdate?.MaxSurge?.Value);
        Assert.Equal(10, made.Spec.RevisionHistoryLimit);
        Assert.Equal(600, made.Spec.ProgressDeadlineSeconds);
        Assert.Equal("Always", made.Spec.Template.Spec.RestartPolicy);
        Assert.Equal("TCP", made.Spec.Template.Spec.Containers[0].Ports[0].Protocol);
    }

    [Fact]
    public async Task Job_selector_and_labels_are_generated()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var made = await client.BatchV1.CreateNamespacedJobAsync(new V1Job
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
        Assert.Equal(made.Metadata.Uid, made.Spec.Selector?.MatchLabels?["batch.kubernetes.io/controller-uid"]);
        Assert.Equal(made.Metadata.Uid, made.Spec.Template.Metadata?.Labels?["batch.kubernetes.io/controller-uid"]);
        Assert.Equal("j", made.Spec.Template.Metadata?.Labels?["batch.kubernetes.io/job-name"]);
        Assert.Equal(6, made.Spec.BackoffLimit);
        Assert.Equal(1, made.Spec.Completions);
        Assert.Equal(1, made.Spec.Parallelism);
        Assert.Equal("NonIndexed", made.Spec.CompletionMode);
        Assert.False(made.Spec.Suspend);
    }

    [Fact]
    public async Task Namespace_is_active_with_the_kubernetes_finalizer_and_name_label()
    {
        using var client = Server.Client();
        var name = ServerFixture.NewNamespace("d");
        var made = await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        Assert.Equal("Active", made.Status?.Phase);
        Assert.Equal(["kubernetes"], made.Spec?.Finalizers);
        Assert.Equal(name, made.Metadata.Labels?["kubernetes.io/metadata.name"]);
    }

    [Fact]
    public async Task Pod_gets_the_default_service_account()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var made = await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("p"), ns);
        Assert.Equal("default", made.Spec.ServiceAccountName);
    }

    [Fact]
    public async Task Pod_spec_and_container_defaults()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var pod = TestObjects.Pod("p", image: "nginx:1.25");
        pod.Spec.Containers.Add(new V1Container { Name = "latest", Image = "busybox", Ports = [new V1ContainerPort { ContainerPort = 53 }] });
        var made = await client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        Assert.Equal("Always", made.Spec.RestartPolicy);
        Assert.Equal("ClusterFirst", made.Spec.DnsPolicy);
        Assert.Equal("default-scheduler", made.Spec.SchedulerName);
        Assert.Equal(30, made.Spec.TerminationGracePeriodSeconds);
        Assert.NotNull(made.Spec.SecurityContext);
        Assert.True(made.Spec.EnableServiceLinks);
        var app = made.Spec.Containers[0];
        Assert.Equal("IfNotPresent", app.ImagePullPolicy);
        Assert.Equal("/dev/termination-log", app.TerminationMessagePath);
        Assert.Equal("File", app.TerminationMessagePolicy);
        var latest = made.Spec.Containers[1];
        Assert.Equal("Always", latest.ImagePullPolicy);
        Assert.Equal("TCP", latest.Ports.Single().Protocol);
    }

    [Fact]
    public async Task Secret_string_data_is_merged_into_data_and_type_defaults_to_opaque()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var made = await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "s" },
            StringData = new Dictionary<string, string> { ["password"] = "x" },
        }, ns);
        Assert.Equal("Opaque", made.Type);
        Assert.Equal("x", System.Text.Encoding.UTF8.GetString(made.Data["password"]));
        Assert.Null(made.StringData);
    }

    [Fact]
    public async Task Service_defaults_and_cluster_ip_allocation()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var made = await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, ns);
        Assert.Equal("ClusterIP", made.Spec.Type);
        Assert.Equal("None", made.Spec.SessionAffinity);
        Assert.Equal("TCP", made.Spec.Ports[0].Protocol);
        Assert.Equal("80", made.Spec.Ports[0].TargetPort?.Value);
        Assert.True(System.Net.IPAddress.TryParse(made.Spec.ClusterIP, out _), $"clusterIP {made.Spec.ClusterIP}");
        Assert.Equal([made.Spec.ClusterIP], made.Spec.ClusterIPs);
        Assert.Equal("SingleStack", made.Spec.IpFamilyPolicy);
        Assert.Equal(["IPv4"], made.Spec.IpFamilies);
    }
}
