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

    [Fact]
    public async Task Get_all_namespaces_adds_the_namespace_column()
    {
        var ns = await NamespaceWithConfigMapsAsync();
        var table = new KubectlTable(await Kubectl.OkAsync("get configmaps -A"));
        Assert.Equal(["NAMESPACE", "NAME", "DATA", "AGE"], table.Headers);
        var ours = table.Rows.Where(r => r[0] == ns).Select(r => r[1]).ToList();
        Assert.Equal(["a", "b", "c", "d"], ours);
    }

    [Fact]
    public async Task Get_configmaps_prints_name_data_age()
    {
        var ns = await NamespaceWithConfigMapsAsync();
        var table = new KubectlTable(await Kubectl.OkAsync($"get configmaps -n {ns}"));
        Assert.Equal(["NAME", "DATA", "AGE"], table.Headers);
        Assert.Equal(["a", "b", "c", "d"], table.Column("NAME"));
        Assert.Equal("2", table.Row("a")["DATA"]);
        Assert.Equal("1", table.Row("b")["DATA"]);
        Assert.All(table.Column("AGE"), age => Assert.True(KubectlTable.IsFreshAge(age), $"AGE {age}"));
    }

    [Fact]
    public async Task Get_deployments_prints_ready_up_to_date_available_and_wide_columns()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);

        var table = new KubectlTable(await Kubectl.OkAsync($"get deployments -n {ns}"));
        Assert.Equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], table.Headers);
        var row = table.Row("web");
        Assert.Equal("0/3", row["READY"]);
        Assert.Equal("0", row["UP-TO-DATE"]);
        Assert.Equal("0", row["AVAILABLE"]);

        var wide = new KubectlTable(await Kubectl.OkAsync($"get deploy -n {ns} -o wide"));
        Assert.Equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"], wide.Headers);
        Assert.Equal("nginx", wide.Row("web")["CONTAINERS"]);
        Assert.Equal("nginx:1.25", wide.Row("web")["IMAGES"]);
        Assert.Equal("app=web", wide.Row("web")["SELECTOR"]);
    }

    [Fact]
    public async Task Get_pods_prints_ready_status_restarts_age_and_wide_columns()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("p1"), ns);
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("p2", nodeName: "node-1"), ns);

        var table = new KubectlTable(await Kubectl.OkAsync($"get pods -n {ns}"));
        Assert.Equal(["NAME", "READY", "STATUS", "RESTARTS", "AGE"], table.Headers);
        var p1 = table.Row("p1");
        Assert.Equal("0/1", p1["READY"]);
        Assert.Equal("Pending", p1["STATUS"]);
        Assert.Equal("0", p1["RESTARTS"]);
        Assert.True(KubectlTable.IsFreshAge(p1["AGE"]), p1["AGE"]);

        var wide = new KubectlTable(await Kubectl.OkAsync($"get pods -n {ns} -o wide"));
        Assert.Equal(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"], wide.Headers);
        Assert.Equal("<none>", wide.Row("p1")["IP"]);
        Assert.Equal("<none>", wide.Row("p1")["NODE"]);
        Assert.Equal("<none>", wide.Row("p1")["NOMINATED NODE"]);
        Assert.Equal("<none>", wide.Row("p1")["READINESS GATES"]);
        Assert.Equal("node-1", wide.Row("p2")["NODE"]);
    }

    [Fact]
    public async Task Get_pods_with_field_selector_on_status_phase_and_node_name()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("pending"), ns);
        await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("bound", nodeName: "node-1"), ns);
        var running = await client.CoreV1.CreateNamespacedPodAsync(TestObjects.Pod("running", nodeName: "node-2"), ns);
        running.Status = new V1PodStatus { Phase = "Running" };
        await client.CoreV1.ReplaceNamespacedPodStatusAsync(running, "running", ns);

        Assert.Equal("pod/running\n", await Kubectl.OkAsync($"get pods -n {ns} --field-selector status.phase=Running -o name"));
        Assert.Equal("pod/bound\npod/pending\n", await Kubectl.OkAsync($"get pods -n {ns} --field-selector status.phase!=Running -o name"));
        Assert.Equal("pod/bound\n", await Kubectl.OkAsync($"get pods -n {ns} --field-selector spec.nodeName=node-1 -o name"));
        Assert.Equal("pod/pending\n", await Kubectl.OkAsync($"get pods -n {ns} --field-selector spec.nodeName= -o name"));
        Assert.Equal("pod/running\n", await Kubectl.OkAsync($"get pods -n {ns} --field-selector status.phase=Running,spec.nodeName=node-2 -o name"));
    }

    [Fact]
    public async Task Get_several_kinds_prefixes_names_with_the_kind()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("cfg"), ns);
        var output = await Kubectl.OkAsync($"get deploy,cm -n {ns}");
        var blocks = output.Split("\n\n");
        Assert.Equal(2, blocks.Length);
        var deploy = new KubectlTable(blocks[0]);
        Assert.Equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], deploy.Headers);
        Assert.Equal("deployment.apps/web", deploy.Rows[0][0]);
        var cm = new KubectlTable(blocks[1]);
        Assert.Equal(["NAME", "DATA", "AGE"], cm.Headers);
        Assert.Equal("configmap/cfg", cm.Rows[0][0]);
    }

    [Fact]
    public async Task Get_show_labels_and_label_columns()
    {
        var ns = await NamespaceWithConfigMapsAsync();
        var labels = new KubectlTable(await Kubectl.OkAsync($"get cm -n {ns} --show-labels"));
        Assert.Equal(["NAME", "DATA", "AGE", "LABELS"], labels.Headers);
        Assert.Equal("env=prod,tier=fe", labels.Row("a")["LABELS"]);
        Assert.Equal("<none>", labels.Row("d")["LABELS"]);

        var columns = new KubectlTable(await Kubectl.OkAsync($"get cm -n {ns} -L env,tier"));
        Assert.Equal(["NAME", "DATA", "AGE", "ENV", "TIER"], columns.Headers);
        Assert.Equal("prod", columns.Row("a")["ENV"]);
        Assert.Equal("fe", columns.Row("a")["TIER"]);
        Assert.Equal("qa", columns.Row("c")["ENV"]);
        Assert.Equal("", columns.Row("c")["TIER"]);
    }

    [Fact]
    public async Task Get_with_an_unsupported_field_selector_is_a_bad_request()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"get cm -n {ns} --field-selector data.k=v");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Error from server (BadRequest)", r.Stderr);
        Assert.Contains("\"data.k\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"", r.Stderr);

        var pods = await Kubectl.RunAsync($"get pods -n {ns} --field-selector spec.foo=bar");
        Assert.Equal(1, pods.ExitCode);
        Assert.Contains("Error from server (BadRequest)", pods.Stderr);
        Assert.Contains("field label not supported: spec.foo", pods.Stderr);
    }

    [Fact]
    public async Task Get_with_field_selector_on_metadata_name()
    {
        var ns = await NamespaceWithConfigMapsAsync();
        Assert.Equal("configmap/b\n", await Kubectl.OkAsync($"get cm -n {ns} --field-selector metadata.name=b -o name"));
        Assert.Equal("configmap/a\nconfigmap/c\nconfigmap/d\n", await Kubectl.OkAsync($"get cm -n {ns} --field-selector metadata.name!=b -o name"));
        Assert.Equal($"configmap/a\n", await Kubectl.OkAsync($"get cm -n {ns} --field-selector metadata.name==a,metadata.namespace={ns} -o name"));
    }

    [Theory]
    [InlineData("env=prod", "a")]
    [InlineData("env==prod", "a")]
    [InlineData("env!=prod", "b c d")]
    [InlineData("env in (prod,dev)", "a b")]
    [InlineData("env notin (prod,dev)", "c d")]
    [InlineData("tier", "a b")]
    [InlineData("!tier", "c d")]
    [InlineData("env=prod,tier=fe", "a")]
    [InlineData("env,!tier", "c")]
    [InlineData("env=none", "")]
    public async Task Get_with_label_selector(string selector, string expected)
    {
        var ns = await NamespaceWithConfigMapsAsync();
        var r = await Kubectl.RunArgsAsync(["get", "configmaps", "-n", ns, "-l", selector, "-o", "name"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        var names = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(n => n.Replace("configmap/", ""));
        Assert.Equal(expected, string.Join(' ', names));
    }

    [Fact]
    public async Task Get_with_label_selector_prints_no_resources_found_when_nothing_matches()
    {
        var ns = await NamespaceWithConfigMapsAsync();
        var r = await Kubectl.RunArgsAsync(["get", "configmaps", "-n", ns, "-l", "env=none"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Equal($"No resources found in {ns} namespace.\n", r.Stderr);
    }

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
