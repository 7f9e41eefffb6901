using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>label, annotate, patch (json, merge, strategic), scale.</summary>
public sealed partial class KubectlPatchTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    private async Task<string> NamespaceWithConfigMapAsync()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        return ns;
    }

    [Fact]
    public async Task Patch_with_malformed_json_is_rejected()
    {
        var ns = await NamespaceWithConfigMapAsync();
        var rv = await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.resourceVersion}}");
        var r = await Kubectl.RunAsync($"patch cm a -n {ns} --type=merge -p '{{\"data\":'");
        Assert.Equal(1, r.ExitCode);
        var strategic = await Kubectl.RunAsync($"patch cm a -n {ns} --type=json -p '{{\"op\":\"replace\"}}'");
        Assert.Equal(1, strategic.ExitCode);
        Assert.Equal(rv, await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.resourceVersion}}"));
    }

    [Fact]
    public async Task Patch_a_missing_object_is_not_found()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"patch cm nope -n {ns} --type=merge -p '{{\"data\":{{\"a\":\"b\"}}}}'");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error from server (NotFound): configmaps \"nope\" not found\n", r.Stderr);
    }

    [Fact]
    public async Task Scale_subresource_reads_as_autoscaling_v1_scale()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        var scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns);
        Assert.Equal("Scale", scale.Kind);
        Assert.Equal("autoscaling/v1", scale.ApiVersion);
        Assert.Equal(3, scale.Spec.Replicas);
        Assert.Equal("web", scale.Metadata.Name);
    }

    [Fact]
    public async Task Scale_subresource_can_be_replaced_with_a_resource_version_precondition()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        var scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns);
        scale.Spec.Replicas = 6;
        var replaced = await client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", ns);
        Assert.Equal(6, replaced.Spec.Replicas);
        Assert.Equal(6, (await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);

        scale.Spec.Replicas = 7; // scale still carries the old resourceVersion
        var (code, status) = await TestObjects.FailureOf(() => client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", ns));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal(6, (await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);
    }

    [Fact]
    public async Task Scale_subresource_reports_the_selector_as_a_string()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        var scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns);
        Assert.Equal("app=web", scale.Status.Selector);
    }

    [Fact]
    public async Task Annotate_adds_overwrites_and_removes()
    {
        var ns = await NamespaceWithConfigMapAsync();
        Assert.Equal("configmap/a annotated\n", await Kubectl.OkAsync($"annotate cm a -n {ns} note=hello"));
        Assert.Equal("hello", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.annotations.note}}"));

        var refused = await Kubectl.RunAsync($"annotate cm a -n {ns} note=bye");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (hello)\n", refused.Stderr);

        Assert.Equal("configmap/a annotated\n", await Kubectl.OkAsync($"annotate cm a -n {ns} note=bye --overwrite"));
        Assert.Equal("bye", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.annotations.note}}"));
        Assert.Equal("configmap/a annotated\n", await Kubectl.OkAsync($"annotate cm a -n {ns} note-"));
    }

    [Fact]
    public async Task Label_adds_refuses_to_overwrite_overwrites_and_removes()
    {
        var ns = await NamespaceWithConfigMapAsync();
        Assert.Equal("configmap/a labeled\n", await Kubectl.OkAsync($"label cm a -n {ns} env=prod tier=fe"));
        Assert.Equal("{\"env\":\"prod\",\"tier\":\"fe\"}", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.labels}}"));

        var refused = await Kubectl.RunAsync($"label cm a -n {ns} env=dev");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("error: 'env' already has a value (prod), and --overwrite is false\n", refused.Stderr);

        Assert.Equal("configmap/a labeled\n", await Kubectl.OkAsync($"label cm a -n {ns} env=dev --overwrite"));
        Assert.Equal("dev", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.labels.env}}"));

        Assert.Equal("configmap/a unlabeled\n", await Kubectl.OkAsync($"label cm a -n {ns} env-"));
        Assert.Equal("{\"tier\":\"fe\"}", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.labels}}"));
        Assert.Equal("configmap/a not labeled\n", await Kubectl.OkAsync($"label cm a -n {ns} tier=fe --overwrite"));
    }

    [Fact]
    public async Task Label_with_a_selector_labels_every_match()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("x", new Dictionary<string, string> { ["g"] = "1" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("y", new Dictionary<string, string> { ["g"] = "1" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("z"), ns);
        Assert.Equal("configmap/x labeled\nconfigmap/y labeled\n", await Kubectl.OkAsync($"label cm -n {ns} -l g=1 seen=yes"));
        Assert.Equal("configmap/x\nconfigmap/y\n", await Kubectl.OkAsync($"get cm -n {ns} -l seen=yes -o name"));
    }

    [Fact]
    public async Task Patch_json_replaces_adds_and_removes()
    {
        var ns = await NamespaceWithConfigMapAsync();
        var patch = """[{"op":"replace","path":"/data/k","value":"v2"},{"op":"add","path":"/data/n","value":"1"},{"op":"add","path":"/metadata/labels","value":{"x":"y"}}]""";
        Assert.Equal("configmap/a patched\n", await Kubectl.OkAsync($"patch cm a -n {ns} --type=json -p '{patch}'"));
        Assert.Equal("{\"k\":\"v2\",\"n\":\"1\"}", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.data}}"));
        Assert.Equal("y", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.labels.x}}"));

        Assert.Equal("configmap/a patched\n", await Kubectl.OkAsync($"patch cm a -n {ns} --type=json -p '[{{\"op\":\"remove\",\"path\":\"/data/n\"}}]'"));
        Assert.Equal("{\"k\":\"v2\"}", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.data}}"));
    }

    [Fact]
    public async Task Patch_json_test_failure_is_rejected_and_changes_nothing()
    {
        var ns = await NamespaceWithConfigMapAsync();
        var rv = await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.resourceVersion}}");
        var r = await Kubectl.RunAsync($"patch cm a -n {ns} --type=json -p '[{{\"op\":\"test\",\"path\":\"/data/k\",\"value\":\"nope\"}},{{\"op\":\"replace\",\"path\":\"/data/k\",\"value\":\"x\"}}]'");
        Assert.Equal(1, r.ExitCode);
        // Upstream answers 422 Invalid with the generic message (the JSON patch error is not passed on).
        Assert.Equal("The request is invalid: the server rejected our request due to an error in our request\n", r.Stderr);
        Assert.Equal(rv, await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.resourceVersion}}"));
        Assert.Equal("v", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.data.k}}"));
    }

    [Fact]
    public async Task Patch_merge_replaces_lists_whole()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        await Kubectl.OkAsync($"patch deploy web -n {ns} --type=merge -p '{{\"spec\":{{\"template\":{{\"spec\":{{\"containers\":[{{\"name\":\"side\",\"image\":\"busybox\"}}]}}}}}}}}'");
        Assert.Equal("side", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[*].name}}"));
    }

    [Fact]
    public async Task Patch_merge_sets_and_removes_keys_with_null()
    {
        var ns = await NamespaceWithConfigMapAsync();
        Assert.Equal("configmap/a patched\n", await Kubectl.OkAsync($"patch cm a -n {ns} --type=merge -p '{{\"data\":{{\"k\":null,\"n\":\"1\"}}}}'"));
        Assert.Equal("{\"n\":\"1\"}", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.data}}"));
        Assert.Equal("configmap/a patched (no change)\n", await Kubectl.OkAsync($"patch cm a -n {ns} --type=merge -p '{{\"data\":{{\"n\":\"1\"}}}}'"));
    }

    [Fact]
    public async Task Patch_strategic_merges_containers_by_name()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);

        Assert.Equal("deployment.apps/web patched\n", await Kubectl.OkAsync(
            $"patch deploy web -n {ns} --type=strategic -p '{{\"spec\":{{\"template\":{{\"spec\":{{\"containers\":[{{\"name\":\"side\",\"image\":\"busybox\"}}]}}}}}}}}'"));
        // Upstream's order: elements named in the patch first, then the ones only on the server.
        Assert.Equal("side nginx", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[*].name}}"));

        // The default --type is strategic.
        Assert.Equal("deployment.apps/web patched\n", await Kubectl.OkAsync(
            $"patch deploy web -n {ns} -p '{{\"spec\":{{\"template\":{{\"spec\":{{\"containers\":[{{\"name\":\"nginx\",\"image\":\"nginx:1.26\"}}]}}}}}}}}'"));
        Assert.Equal("busybox nginx:1.26", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[*].image}}"));
        // The nginx container kept its port: the patch merged into it.
        Assert.Equal("80", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[1].ports[0].containerPort}}"));

        Assert.Equal("deployment.apps/web patched\n", await Kubectl.OkAsync(
            $"patch deploy web -n {ns} -p '{{\"spec\":{{\"template\":{{\"spec\":{{\"containers\":[{{\"name\":\"side\",\"$patch\":\"delete\"}}]}}}}}}}}'"));
        Assert.Equal("nginx", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[*].name}}"));
    }

    [Fact]
    public async Task Patch_strategic_merges_env_by_name_and_ports_by_container_port()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        await Kubectl.OkAsync($"patch deploy web -n {ns} -p '{{\"spec\":{{\"template\":{{\"spec\":{{\"containers\":[{{\"name\":\"nginx\",\"env\":[{{\"name\":\"A\",\"value\":\"1\"}}],\"ports\":[{{\"containerPort\":443}}]}}]}}}}}}}}'");
        await Kubectl.OkAsync($"patch deploy web -n {ns} -p '{{\"spec\":{{\"template\":{{\"spec\":{{\"containers\":[{{\"name\":\"nginx\",\"env\":[{{\"name\":\"B\",\"value\":\"2\"}}]}}]}}}}}}}}'");
        Assert.Equal("B A", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[0].env[*].name}}"));
        Assert.Equal("443 80", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[0].ports[*].containerPort}}"));
    }

    [Fact]
    public async Task Scale_uses_the_scale_subresource_and_checks_current_replicas()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);

        Assert.Equal("deployment.apps/web scaled\n", await Kubectl.OkAsync($"scale deployment web -n {ns} --replicas=4"));
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(4, deployment.Spec.Replicas);
        Assert.Equal(2, deployment.Metadata.Generation);

        var refused = await Kubectl.RunAsync($"scale deployment web -n {ns} --current-replicas=3 --replicas=5");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("error: Expected replicas to be 3, was 4\n", refused.Stderr);
        Assert.Equal("deployment.apps/web scaled\n", await Kubectl.OkAsync($"scale deployment web -n {ns} --current-replicas=4 --replicas=5"));
        Assert.Equal("5", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.replicas}}"));
    }
}
