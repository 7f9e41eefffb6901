using System.Net;
using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Client;

public sealed partial class ClientApiTests
{
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
}
