using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>create -f, apply (client-side and server-side), diff, edit, --dry-run=server.</summary>
public sealed partial class KubectlApplyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    private static readonly string MultiDocument = TestObjects.ConfigMapYaml("a") + "---\n" + TestObjects.DeploymentYaml("web");

    [Fact]
    public async Task Create_without_client_validation_creates_each_object()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create -n {ns} --validate=false -f -", MultiDocument);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap/a created\ndeployment.apps/web created\n", r.Stdout);
    }

    [Fact]
    public async Task Create_an_existing_object_is_already_exists()
    {
        var ns = await Server.NewNamespaceAsync();
        await Kubectl.OkAsync($"create -n {ns} --validate=false -f -", TestObjects.ConfigMapYaml("a"));
        var r = await Kubectl.RunAsync($"create -n {ns} --validate=false -f -", TestObjects.ConfigMapYaml("a", "other"));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error from server (AlreadyExists): error when creating \"STDIN\": configmaps \"a\" already exists\n", r.Stderr);
        Assert.Equal("v", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.data.k}}"));
    }

    [Fact]
    public async Task Diff_of_a_new_object_shows_it_whole_and_creates_nothing()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"diff -n {ns} -f -", TestObjects.ConfigMapYaml("fresh"));
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("+  name: fresh\n", r.Stdout);
        var get = await Kubectl.RunAsync($"get cm fresh -n {ns}");
        Assert.Equal(1, get.ExitCode);
    }

    [Fact]
    public async Task Create_with_server_dry_run_persists_nothing()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create -n {ns} --validate=false --dry-run=server -f -", MultiDocument);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap/a created (server dry run)\ndeployment.apps/web created (server dry run)\n", r.Stdout);
        var get = await Kubectl.RunAsync($"get cm,deploy -n {ns} -o name");
        Assert.Equal("", get.Stdout);
    }

    [Fact]
    public async Task Server_dry_run_of_a_create_returns_the_object_the_server_would_store()
    {
        var ns = await Server.NewNamespaceAsync();
        var json = JsonNode.Parse(await Kubectl.OkAsync($"create -n {ns} --validate=false --dry-run=server -o json -f -", TestObjects.ConfigMapYaml("a")))!;
        Assert.False(string.IsNullOrEmpty((string?)json["metadata"]!["uid"]));
        Assert.False(string.IsNullOrEmpty((string?)json["metadata"]!["creationTimestamp"]));
        Assert.Null(json["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Apply_creates_then_configures_then_leaves_unchanged()
    {
        var ns = await Server.NewNamespaceAsync();
        Assert.Equal("deployment.apps/web created\n", await Kubectl.OkAsync($"apply -n {ns} -f -", TestObjects.DeploymentYaml("web")));
        Assert.Equal("deployment.apps/web configured\n", await Kubectl.OkAsync($"apply -n {ns} -f -", TestObjects.DeploymentYaml("web", "nginx:1.26")));
        Assert.Equal("deployment.apps/web unchanged\n", await Kubectl.OkAsync($"apply -n {ns} -f -", TestObjects.DeploymentYaml("web", "nginx:1.26")));

        using var client = Server.Client();
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal("nginx:1.26", deployment.Spec.Template.Spec.Containers.Single().Image);
        var lastApplied = JsonNode.Parse(deployment.Metadata.Annotations["kubectl.kubernetes.io/last-applied-configuration"])!;
        Assert.Equal("nginx:1.26", (string?)lastApplied["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal(ns, (string?)lastApplied["metadata"]!["namespace"]);
        Assert.Equal(2, deployment.Metadata.Generation);
    }

    [Fact]
    public async Task Apply_over_an_object_created_without_last_applied_warns_and_patches()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var r = await Kubectl.RunAsync($"apply -n {ns} -f -", TestObjects.ConfigMapYaml("a", "w"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap/a configured\n", r.Stdout);
        Assert.Contains("Warning: resource configmaps/a is missing the kubectl.kubernetes.io/last-applied-configuration annotation", r.Stderr);
        Assert.Equal("w", (await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns)).Data["k"]);
    }

    [Fact]
    public async Task Apply_removes_a_field_dropped_from_the_manifest()
    {
        var ns = await Server.NewNamespaceAsync();
        var withLabel = TestObjects.ConfigMapYaml("a").Replace("  name: a\n", "  name: a\n  labels:\n    keep: \"yes\"\n    drop: \"yes\"\n");
        await Kubectl.OkAsync($"apply -n {ns} -f -", withLabel);
        var withoutDrop = TestObjects.ConfigMapYaml("a").Replace("  name: a\n", "  name: a\n  labels:\n    keep: \"yes\"\n");
        Assert.Equal("configmap/a configured\n", await Kubectl.OkAsync($"apply -n {ns} -f -", withoutDrop));
        Assert.Equal("{\"keep\":\"yes\"}", await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.labels}}"));
    }

    [Fact]
    public async Task Apply_server_side_conflicts_with_another_manager_until_forced()
    {
        var ns = await Server.NewNamespaceAsync();
        await Kubectl.OkAsync($"apply --server-side -n {ns} -f -", TestObjects.DeploymentYaml("web"));

        var conflict = await Kubectl.RunAsync($"apply --server-side --field-manager=other -n {ns} -f -", TestObjects.DeploymentYaml("web", "nginx:1.27"));
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains("error: Apply failed with 1 conflict: conflict with \"kubectl\": .spec.template.spec.containers[name=\"nginx\"].image", conflict.Stderr);
        Assert.Equal("nginx:1.25", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[0].image}}"));

        var forced = await Kubectl.RunAsync($"apply --server-side --field-manager=other --force-conflicts -n {ns} -f -", TestObjects.DeploymentYaml("web", "nginx:1.27"));
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal("deployment.apps/web serverside-applied\n", forced.Stdout);
        Assert.Equal("nginx:1.27", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[0].image}}"));
        var managers = await Kubectl.OkAsync($"get deploy web -n {ns} --show-managed-fields -o jsonpath={{.metadata.managedFields[*].manager}}");
        Assert.Contains("other", managers.Split(' '));
    }

    [Fact]
    public async Task Apply_server_side_creates_updates_and_records_managed_fields()
    {
        var ns = await Server.NewNamespaceAsync();
        Assert.Equal("deployment.apps/web serverside-applied\n", await Kubectl.OkAsync($"apply --server-side -n {ns} -f -", TestObjects.DeploymentYaml("web")));
        Assert.Equal("deployment.apps/web serverside-applied\n", await Kubectl.OkAsync($"apply --server-side -n {ns} -f -", TestObjects.DeploymentYaml("web", "nginx:1.26", replicas: 4)));

        using var client = Server.Client();
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal("nginx:1.26", deployment.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal(4, deployment.Spec.Replicas);
        var apply = Assert.Single(deployment.Metadata.ManagedFields, m => m.Manager == "kubectl");
        Assert.Equal("Apply", apply.Operation);
        Assert.Equal("FieldsV1", apply.FieldsType);

        var hidden = await Kubectl.OkAsync($"get deploy web -n {ns} -o yaml");
        Assert.DoesNotContain("managedFields", hidden);
        var shown = await Kubectl.OkAsync($"get deploy web -n {ns} -o yaml --show-managed-fields");
        Assert.Contains("  managedFields:\n", shown);
        Assert.Contains("    manager: kubectl\n    operation: Apply\n", shown);
        Assert.Contains("f:image: {}", shown);
    }

    [Fact]
    public async Task Apply_server_side_of_an_unchanged_manifest_keeps_the_resource_version()
    {
        var ns = await Server.NewNamespaceAsync();
        await Kubectl.OkAsync($"apply --server-side -n {ns} -f -", TestObjects.ConfigMapYaml("a"));
        var before = await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.resourceVersion}}");
        await Kubectl.OkAsync($"apply --server-side -n {ns} -f -", TestObjects.ConfigMapYaml("a"));
        Assert.Equal(before, await Kubectl.OkAsync($"get cm a -n {ns} -o jsonpath={{.metadata.resourceVersion}}"));
    }

    [Fact]
    public async Task Apply_with_server_dry_run_changes_nothing()
    {
        var ns = await Server.NewNamespaceAsync();
        await Kubectl.OkAsync($"apply -n {ns} -f -", TestObjects.DeploymentYaml("web"));
        var rv = await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.metadata.resourceVersion}}");
        var r = await Kubectl.RunAsync($"apply -n {ns} --dry-run=server -f -", TestObjects.DeploymentYaml("web", "nginx:1.26"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("deployment.apps/web configured (server dry run)\n", r.Stdout);
        Assert.Equal(rv, await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.metadata.resourceVersion}}"));
        Assert.Equal("nginx:1.25", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[0].image}}"));
    }

    [Fact]
    public async Task Create_from_a_multi_document_yaml_creates_each_object()
    {
        var ns = await Server.NewNamespaceAsync();
        var r = await Kubectl.RunAsync($"create -n {ns} -f -", MultiDocument);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("configmap/a created\ndeployment.apps/web created\n", r.Stdout);
        Assert.Equal("", r.Stderr);

        using var client = Server.Client();
        Assert.Equal("v", (await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns)).Data["k"]);
        Assert.Equal(2, (await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);
    }

    [Fact]
    public async Task Delete_and_label_with_server_dry_run_change_nothing()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);

        Assert.Equal("configmap \"a\" deleted (server dry run)\n", await Kubectl.OkAsync($"delete cm a -n {ns} --dry-run=server"));
        Assert.Equal("configmap/a labeled (server dry run)\n", await Kubectl.OkAsync($"label cm a -n {ns} x=y --dry-run=server"));
        var cm = await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns);
        Assert.Null(cm.Metadata.Labels);
        Assert.Null(cm.Metadata.DeletionTimestamp);
    }

    [Fact]
    public async Task Diff_exits_1_with_a_diff_when_changed_and_0_when_not_and_persists_nothing()
    {
        var ns = await Server.NewNamespaceAsync();
        await Kubectl.OkAsync($"apply -n {ns} -f -", TestObjects.DeploymentYaml("web"));
        var rv = await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.metadata.resourceVersion}}");

        var same = await Kubectl.RunAsync($"diff -n {ns} -f -", TestObjects.DeploymentYaml("web"));
        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Equal("", same.Stdout);

        var changed = await Kubectl.RunAsync($"diff -n {ns} -f -", TestObjects.DeploymentYaml("web", "nginx:1.26"));
        Assert.True(changed.ExitCode == 1, changed.ToString());
        Assert.Contains("\n-      - image: nginx:1.25\n+      - image: nginx:1.26\n", changed.Stdout);
        Assert.Contains("-  generation: 1\n+  generation: 2\n", changed.Stdout);

        Assert.Equal(rv, await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.metadata.resourceVersion}}"));
        Assert.Equal("nginx:1.25", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[0].image}}"));
    }

    [Fact]
    public async Task Edit_with_an_editor_script_changes_the_object()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        var editor = TestObjects.EditorScript("sed -i 's/image: nginx:1.25/image: nginx:1.26/' \"$1\"");
        try
        {
            var r = await Kubectl.RunAsync($"edit deployment web -n {ns}", env: new Dictionary<string, string> { ["KUBE_EDITOR"] = editor });
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("deployment.apps/web edited\n", r.Stdout);
        }
        finally
        {
            File.Delete(editor);
        }
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal("nginx:1.26", deployment.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal(2, deployment.Metadata.Generation);
    }

    [Fact]
    public async Task Edit_without_changes_edits_nothing()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var editor = TestObjects.EditorScript("true");
        try
        {
            var r = await Kubectl.RunAsync($"edit cm a -n {ns}", env: new Dictionary<string, string> { ["KUBE_EDITOR"] = editor });
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("Edit cancelled, no changes made.\n", r.Stderr);
        }
        finally
        {
            File.Delete(editor);
        }
    }

    [Fact]
    public async Task Apply_server_side_without_client_validation_creates_and_updates()
    {
        var ns = await Server.NewNamespaceAsync();
        Assert.Equal("deployment.apps/web serverside-applied\n", await Kubectl.OkAsync($"apply --server-side --validate=false -n {ns} -f -", TestObjects.DeploymentYaml("web")));
        Assert.Equal("deployment.apps/web serverside-applied\n", await Kubectl.OkAsync($"apply --server-side --validate=false -n {ns} -f -", TestObjects.DeploymentYaml("web", "nginx:1.26")));
        Assert.Equal("nginx:1.26", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[0].image}}"));
    }

    [Fact]
    public async Task Apply_without_client_validation_creates_configures_and_leaves_unchanged()
    {
        var ns = await Server.NewNamespaceAsync();
        Assert.Equal("deployment.apps/web created\n", await Kubectl.OkAsync($"apply --validate=false -n {ns} -f -", TestObjects.DeploymentYaml("web")));
        Assert.Equal("deployment.apps/web configured\n", await Kubectl.OkAsync($"apply --validate=false -n {ns} -f -", TestObjects.DeploymentYaml("web", "nginx:1.26")));
        Assert.Equal("deployment.apps/web unchanged\n", await Kubectl.OkAsync($"apply --validate=false -n {ns} -f -", TestObjects.DeploymentYaml("web", "nginx:1.26")));
        Assert.Equal("nginx:1.26", await Kubectl.OkAsync($"get deploy web -n {ns} -o jsonpath={{.spec.template.spec.containers[0].image}}"));
    }
}
