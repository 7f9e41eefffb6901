using System.Net;
using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Client;

/// <summary>
/// The official C# client (and raw HTTP where the client hides the wire): pagination, watch,
/// optimistic concurrency, generation, status subresource, system metadata.
/// </summary>
public sealed partial class ClientApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private async Task<string> NamespaceWithConfigMapsAsync(int count)
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        for (var i = 0; i < count; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap($"cm-{i}"), ns);
        }
        return ns;
    }

    [Fact]
    public async Task Kubectl_chunked_list_prints_every_object()
    {
        var ns = await NamespaceWithConfigMapsAsync(7);
        var names = await fixture.Kubectl.OkAsync($"get cm -n {ns} --chunk-size=2 -o name");
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"configmap/cm-{i}"), names.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var rows = new KubectlTable(await fixture.Kubectl.OkAsync($"get cm -n {ns} --chunk-size=2"));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"cm-{i}"), rows.Column("NAME"));
    }

    [Fact]
    public async Task List_with_limit_and_continue_pages_through_everything()
    {
        var ns = await NamespaceWithConfigMapsAsync(7);
        using var client = Server.Client();
        var first = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2);
        Assert.Equal(["cm-0", "cm-1"], first.Items.Select(i => i.Metadata.Name));
        Assert.False(string.IsNullOrEmpty(first.Metadata.ContinueProperty));
        Assert.Equal(5, first.Metadata.RemainingItemCount);

        // Writes after the first page do not show up in later pages: the list is a snapshot.
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("cm-9"), ns);

        var names = first.Items.Select(i => i.Metadata.Name).ToList();
        var token = first.Metadata.ContinueProperty;
        var pages = 1;
        while (!string.IsNullOrEmpty(token))
        {
            var page = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, continueParameter: token);
            Assert.Equal(first.Metadata.ResourceVersion, page.Metadata.ResourceVersion);
            names.AddRange(page.Items.Select(i => i.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            pages++;
        }
        Assert.Equal(4, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"cm-{i}"), names);
    }

    [Fact]
    public async Task List_with_a_bad_continue_token_is_a_bad_request()
    {
        var ns = await Server.NewNamespaceAsync();
        using var http = Server.Http();
        var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?limit=1&continue=garbage");
        var status = await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("BadRequest", (string?)status["reason"]);
    }

    [Fact]
    public async Task Raw_watch_from_a_resource_version_returns_exactly_the_later_events()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var from = created.Metadata.ResourceVersion;
        var expected = new List<(string Type, string Value)>();
        var current = created;
        for (var i = 1; i <= 3; i++)
        {
            current.Data["k"] = $"v{i}";
            current = await client.CoreV1.ReplaceNamespacedConfigMapAsync(current, "a", ns);
            expected.Add(("MODIFIED", $"v{i}"));
        }
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("b"), ns);
        expected.Add(("ADDED", "v"));

        using var http = Server.Http();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={from}", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var seen = new List<(string Type, string Value)>();
        var versions = new List<long>();
        while (seen.Count < expected.Count)
        {
            var line = await reader.ReadLineAsync(cts.Token);
            Assert.NotNull(line);
            var e = JsonNode.Parse(line)!;
            var obj = e["object"]!;
            Assert.Equal("ConfigMap", (string?)obj["kind"]);
            Assert.Equal("v1", (string?)obj["apiVersion"]);
            seen.Add(((string)e["type"]!, (string)obj["data"]!["k"]!));
            versions.Add(long.Parse((string)obj["metadata"]!["resourceVersion"]!));
        }
        Assert.Equal(expected, seen);
        Assert.All(versions, v => Assert.True(v > long.Parse(from)));
        Assert.Equal(versions.OrderBy(v => v), versions);
    }

    [Fact]
    public async Task Raw_watch_without_a_resource_version_starts_with_the_current_objects()
    {
        var ns = await NamespaceWithConfigMapsAsync(2);
        using var http = Server.Http();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var names = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var e = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;
            Assert.Equal("ADDED", (string?)e["type"]);
            names.Add((string)e["object"]!["metadata"]!["name"]!);
        }
        Assert.Equal(["cm-0", "cm-1"], names.Order());
    }

    [Fact]
    public async Task Raw_watch_ends_after_timeout_seconds()
    {
        var ns = await Server.NewNamespaceAsync();
        using var http = Server.Http();
        // A watch that ignored timeoutSeconds would run for the server's default (minutes) and miss the 1 min wait.
        var body = await http.GetStringAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&timeoutSeconds=1").WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("", body);
    }

    [Fact]
    public async Task Client_watch_from_a_resource_version_sees_the_later_events()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        created.Data["k"] = "changed";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "a", ns);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", ns);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<(WatchEventType, string)>();
        var watch = client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(ns, watch: true, resourceVersion: created.Metadata.ResourceVersion, cancellationToken: cts.Token);
#pragma warning disable CS0618 // the generated per-kind watch methods are not in this client version
        await foreach (var (type, cm) in watch.WatchAsync<V1ConfigMap, V1ConfigMapList>(cancellationToken: cts.Token))
#pragma warning restore CS0618
        {
            events.Add((type, cm.Data?["k"] ?? ""));
            if (events.Count == 2)
            {
                break;
            }
        }
        Assert.Equal([(WatchEventType.Modified, "changed"), (WatchEventType.Deleted, "changed")], events);
    }

    [Fact]
    public async Task Update_with_a_stale_resource_version_is_a_409_conflict()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var original = await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var fresh = await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns);
        fresh.Data["k"] = "first";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(fresh, "a", ns);

        original.Data["k"] = "second";
        var (code, status) = await TestObjects.FailureOf(() => client.CoreV1.ReplaceNamespacedConfigMapAsync(original, "a", ns));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal(409, status.Code);
        Assert.Equal("Failure", status.Status);
        Assert.Equal("Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again", status.Message);
        Assert.Equal("a", status.Details.Name);
        Assert.Equal("configmaps", status.Details.Kind);
        Assert.Equal("first", (await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns)).Data["k"]);
    }

    [Fact]
    public async Task Update_without_a_resource_version_is_unconditional()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var updated = await client.CoreV1.ReplaceNamespacedConfigMapAsync(TestObjects.ConfigMap("a", data: new Dictionary<string, string> { ["k"] = "blind" }), "a", ns);
        Assert.Equal("blind", updated.Data["k"]);
    }

    [Fact]
    public async Task Create_twice_is_a_409_already_exists()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var (code, status) = await TestObjects.FailureOf(() => client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("AlreadyExists", status.Reason);
        Assert.Equal("configmaps \"a\" already exists", status.Message);
        Assert.Equal("a", status.Details.Name);
        Assert.Equal("configmaps", status.Details.Kind);
    }

    [Fact]
    public async Task Read_of_a_missing_object_is_a_404_status()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var (code, status) = await TestObjects.FailureOf(() => client.AppsV1.ReadNamespacedDeploymentAsync("nope", ns));
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("NotFound", status.Reason);
        Assert.Equal("deployments.apps \"nope\" not found", status.Message);
        Assert.Equal("nope", status.Details.Name);
        Assert.Equal("apps", status.Details.Group);
        Assert.Equal("deployments", status.Details.Kind);
    }

    [Fact]
    public async Task Generation_moves_on_spec_changes_only()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var d = await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        Assert.Equal(1, d.Metadata.Generation);

        d.Metadata.Labels["extra"] = "x";
        d.Metadata.Annotations = new Dictionary<string, string> { ["note"] = "y" };
        d = await client.AppsV1.ReplaceNamespacedDeploymentAsync(d, "web", ns);
        Assert.Equal(1, d.Metadata.Generation);

        d.Spec.Replicas = 5;
        d = await client.AppsV1.ReplaceNamespacedDeploymentAsync(d, "web", ns);
        Assert.Equal(2, d.Metadata.Generation);

        d.Status = new V1DeploymentStatus { Replicas = 5, ObservedGeneration = 2 };
        d = await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(d, "web", ns);
        Assert.Equal(2, d.Metadata.Generation);

        d.Spec.Template.Spec.Containers[0].Image = "nginx:1.26";
        d = await client.AppsV1.ReplaceNamespacedDeploymentAsync(d, "web", ns);
        Assert.Equal(3, d.Metadata.Generation);
    }

    [Fact]
    public async Task Status_subresource_writes_only_status_and_main_resource_ignores_status()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var d = await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);

        d.Spec.Replicas = 9;
        d.Metadata.Labels["via"] = "status";
        d.Status = new V1DeploymentStatus { Replicas = 3, ReadyReplicas = 2 };
        var afterStatus = await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(d, "web", ns);
        Assert.Equal(3, afterStatus.Spec.Replicas);
        Assert.False(afterStatus.Metadata.Labels.ContainsKey("via"));
        Assert.Equal(3, afterStatus.Status.Replicas);
        Assert.Equal(2, afterStatus.Status.ReadyReplicas);

        afterStatus.Status = new V1DeploymentStatus { Replicas = 100 };
        afterStatus.Spec.Replicas = 4;
        var afterMain = await client.AppsV1.ReplaceNamespacedDeploymentAsync(afterStatus, "web", ns);
        Assert.Equal(4, afterMain.Spec.Replicas);
        Assert.Equal(3, afterMain.Status.Replicas);
        Assert.Equal(2, afterMain.Status.ReadyReplicas);

        var read = await client.AppsV1.ReadNamespacedDeploymentStatusAsync("web", ns);
        Assert.Equal(3, read.Status.Replicas);
    }

    [Fact]
    public async Task Deployment_status_writes_keep_annotations_as_upstream_and_other_kinds_do_not()
    {
        // Upstream's deployment status strategy resets spec and labels only: the deployment controller records
        // deployment.kubernetes.io/revision in its status write. Other kinds keep their metadata on /status.
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var d = await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        d.Metadata.Annotations = new Dictionary<string, string> { ["deployment.kubernetes.io/revision"] = "1" };
        d.Metadata.Labels["via"] = "status";
        d = await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(d, "web", ns);
        Assert.Equal("1", d.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.False(d.Metadata.Labels.ContainsKey("via"));

        var rs = new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "rs" },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 0,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "rs" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "rs" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] },
                },
            },
        };
        rs = await client.AppsV1.CreateNamespacedReplicaSetAsync(rs, ns);
        rs.Metadata.Annotations = new Dictionary<string, string> { ["via"] = "status" };
        rs = await client.AppsV1.ReplaceNamespacedReplicaSetStatusAsync(rs, "rs", ns);
        Assert.False(rs.Metadata.Annotations?.ContainsKey("via") == true);
    }

    [Fact]
    public async Task Create_ignores_status_on_kinds_with_a_status_subresource()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var body = TestObjects.Deployment("web");
        body.Status = new V1DeploymentStatus { Replicas = 42, ReadyReplicas = 42 };
        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(body, ns);
        Assert.True(created.Status?.Replicas is null or 0, $"status.replicas {created.Status?.Replicas}");
    }

    [Fact]
    public async Task Server_sets_uid_creation_timestamp_and_generated_names()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var before = DateTime.UtcNow.AddSeconds(-5);
        var made = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                GenerateName = "web-",
                Uid = "11111111-1111-1111-1111-111111111111",
                CreationTimestamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            },
        }, ns);
        Assert.Matches("^web-[bcdfghjklmnpqrstvwxz2456789]{5}$", made.Metadata.Name);
        Assert.Equal("web-", made.Metadata.GenerateName);
        Assert.True(Guid.TryParse(made.Metadata.Uid, out _), made.Metadata.Uid);
        Assert.NotEqual("11111111-1111-1111-1111-111111111111", made.Metadata.Uid);
        Assert.InRange(made.Metadata.CreationTimestamp!.Value.ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(5));
        Assert.Matches("^[0-9]+$", made.Metadata.ResourceVersion);
        Assert.Equal(ns, made.Metadata.NamespaceProperty);

        var other = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "web-" } }, ns);
        Assert.NotEqual(made.Metadata.Name, other.Metadata.Name);
        Assert.NotEqual(made.Metadata.Uid, other.Metadata.Uid);
    }

    [Fact]
    public async Task Update_keeps_uid_and_creation_timestamp_and_bumps_resource_version()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var made = await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var changed = await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns);
        changed.Data["k"] = "2";
        changed.Metadata.CreationTimestamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var updated = await client.CoreV1.ReplaceNamespacedConfigMapAsync(changed, "a", ns);
        Assert.Equal(made.Metadata.Uid, updated.Metadata.Uid);
        Assert.Equal(made.Metadata.CreationTimestamp, updated.Metadata.CreationTimestamp);
        Assert.True(long.Parse(updated.Metadata.ResourceVersion) > long.Parse(made.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Update_that_changes_the_uid_is_rejected()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var made = await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        made.Metadata.Uid = Guid.NewGuid().ToString();
        var (code, status) = await TestObjects.FailureOf(() => client.CoreV1.ReplaceNamespacedConfigMapAsync(made, "a", ns));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", status.Reason);
        Assert.Contains("Precondition failed: UID in precondition", status.Message);
    }

    [Fact]
    public async Task Delete_with_a_stale_uid_precondition_is_a_conflict()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var (code, status) = await TestObjects.FailureOf(() => client.CoreV1.DeleteNamespacedConfigMapAsync("a", ns,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = Guid.NewGuid().ToString() } }));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", status.Reason);
        Assert.StartsWith("Operation cannot be fulfilled on configmaps \"a\": Precondition failed: UID in precondition:", status.Message);
        Assert.NotNull(await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns));
    }

    [Fact]
    public async Task List_at_an_exact_resource_version_returns_that_snapshot()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var rv = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("b"), ns);
        var then = await client.CoreV1.ListNamespacedConfigMapAsync(ns, resourceVersion: rv, resourceVersionMatch: "Exact");
        Assert.Equal(["a"], then.Items.Select(i => i.Metadata.Name));
        Assert.Equal(rv, then.Metadata.ResourceVersion);
        var now = await client.CoreV1.ListNamespacedConfigMapAsync(ns, resourceVersion: rv, resourceVersionMatch: "NotOlderThan");
        Assert.Equal(["a", "b"], now.Items.Select(i => i.Metadata.Name));
    }

    [Fact]
    public async Task Cluster_scoped_objects_have_no_namespace_and_namespaced_kinds_need_one()
    {
        using var client = Server.Client();
        var pc = await client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass
        {
            Metadata = new V1ObjectMeta { Name = ServerFixture.NewNamespace("pc") },
            Value = 1000,
        });
        Assert.Null(pc.Metadata.NamespaceProperty);
        var all = await client.CoreV1.ListConfigMapForAllNamespacesAsync();
        Assert.NotNull(all.Items);
    }

    [Fact]
    public async Task Delete_collection_removes_the_selected_objects()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("x", new Dictionary<string, string> { ["g"] = "1" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("y", new Dictionary<string, string> { ["g"] = "1" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("z"), ns);
        await client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns, labelSelector: "g=1");
        Assert.Equal(["z"], (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.Select(i => i.Metadata.Name));
    }

    [Fact]
    public async Task Kubectl_chunked_table_keeps_the_server_columns()
    {
        var ns = await NamespaceWithConfigMapsAsync(7);
        var table = new KubectlTable(await fixture.Kubectl.OkAsync($"get cm -n {ns} --chunk-size=2"));
        Assert.Equal(["NAME", "DATA", "AGE"], table.Headers);
        Assert.Equal(7, table.Rows.Count);
    }

    [Fact]
    public async Task Raw_watch_with_a_label_selector_filters_events()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var rv = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("no"), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("yes", new Dictionary<string, string> { ["w"] = "1" }), ns);

        using var http = Server.Http();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}&labelSelector=w%3D1", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var e = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;
        Assert.Equal("ADDED", (string?)e["type"]);
        Assert.Equal("yes", (string?)e["object"]!["metadata"]!["name"]);
    }
}
