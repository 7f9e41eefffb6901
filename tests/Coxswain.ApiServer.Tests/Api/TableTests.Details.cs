using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Api;

public sealed partial class TableTests
{
    [Fact]
    public async Task List_items_carry_no_type_meta()
    {
        // Upstream encodes typed lists with empty TypeMeta on each item.
        var ns = await NamespaceWithConfigMapAsync();
        using var http = Server.Http();
        var list = JsonNode.Parse(await http.GetStringAsync($"/api/v1/namespaces/{ns}/configmaps"))!;
        var item = list["items"]![0]!.AsObject();
        Assert.False(item.ContainsKey("kind"));
        Assert.False(item.ContainsKey("apiVersion"));
    }
}
