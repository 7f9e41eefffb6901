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
        // client-go's Watch() returns only once the headers arrive; upstream flushes them at once. Held back until the
        // first event or the end of this eventless 10 min watch, they would miss the 2 min wait.
        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=600",
            HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
