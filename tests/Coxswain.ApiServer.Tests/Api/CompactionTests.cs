using System.Net;
using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Api;

/// <summary>
/// 410 Gone once old revisions are compacted. Needs a way to make the server compact soon:
/// these tests start it with `--compaction-interval 00:00:01 --compaction-retain-revisions 0`.
/// </summary>
public sealed partial class CompactionTests
{
    private static async Task<CoxServer> StartCompactingServerAsync() =>
        await CoxServer.StartAsync(null, 0, "--compaction-interval", "00:00:01", "--compaction-retain-revisions", "0");

    [Fact]
    public async Task Watch_and_exact_list_at_a_compacted_resource_version_are_410_gone()
    {
        await using var server = await StartCompactingServerAsync();
        var ns = await server.NewNamespaceAsync();
        using var client = server.Client();
        var cm = await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var old = cm.Metadata.ResourceVersion;
        for (var i = 0; i < 20; i++)
        {
            cm.Data["k"] = i.ToString();
            cm = await client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "a", ns);
        }

        using var http = server.Http();
        // Wait for a compaction to pass the old revision.
        Assert.True(await TestObjects.EventuallyAsync(async () =>
            (await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?resourceVersion={old}&resourceVersionMatch=Exact")).StatusCode == HttpStatusCode.Gone,
            TimeSpan.FromSeconds(20)), "the old revision was never compacted");

        var list = await TestObjects.StatusOf(await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?resourceVersion={old}&resourceVersionMatch=Exact"), HttpStatusCode.Gone);
        Assert.Equal("Expired", (string?)list["reason"]);
        Assert.Equal("The resourceVersion for the provided list is too old.", (string?)list["message"]);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={old}", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var e = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;
        Assert.Equal("ERROR", (string?)e["type"]);
        Assert.Equal("Status", (string?)e["object"]!["kind"]);
        Assert.Equal(410, (int?)e["object"]!["code"]);
        Assert.Equal("Expired", (string?)e["object"]!["reason"]);
        Assert.StartsWith($"too old resource version: {old} (", (string?)e["object"]!["message"]);
    }

    [Fact]
    public async Task Continue_token_of_a_compacted_list_is_410_gone()
    {
        await using var server = await StartCompactingServerAsync();
        var ns = await server.NewNamespaceAsync();
        using var client = server.Client();
        for (var i = 0; i < 3; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap($"c{i}"), ns);
        }
        var first = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 1);
        var cm = await client.CoreV1.ReadNamespacedConfigMapAsync("c0", ns);
        for (var i = 0; i < 20; i++)
        {
            cm.Data["k"] = i.ToString();
            cm = await client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "c0", ns);
        }
        using var http = server.Http();
        var url = $"/api/v1/namespaces/{ns}/configmaps?limit=1&continue={Uri.EscapeDataString(first.Metadata.ContinueProperty)}";
        Assert.True(await TestObjects.EventuallyAsync(async () => (await http.GetAsync(url)).StatusCode == HttpStatusCode.Gone, TimeSpan.FromSeconds(20)),
            "the continue token never expired");
        var status = await TestObjects.StatusOf(await http.GetAsync(url), HttpStatusCode.Gone);
        Assert.Equal("Expired", (string?)status["reason"]);
        Assert.StartsWith("The provided continue parameter is too old to display a consistent list result.", (string?)status["message"]);
    }
}
