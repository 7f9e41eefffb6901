using System.Net;
using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Client;

public sealed partial class ClientApiTests
{
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
    public async Task Raw_watch_sends_its_headers_before_the_first_event()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var rv = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;
        using var http = Server.Http();
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=10", HttpCompletionOption.ResponseHeadersRead);
        // client-go's Watch() returns only once the headers arrive; upstream flushes them at once.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"headers took {started.Elapsed.TotalSeconds:0.0} s (the watch has no events yet)");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
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
