using System.Net;
using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Api;

public sealed partial class CompactionTests
{
    [Fact]
    public async Task Expired_continue_token_comes_with_a_token_to_continue_inconsistently()
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
        Assert.False(string.IsNullOrEmpty((string?)status["metadata"]!["continue"]));
    }
}
