using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.ApiServer.Tests.Api;

/// <summary>The meta.k8s.io/v1 Table responses kubectl asks for, on the wire.</summary>
public sealed partial class TableTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private CoxServer Server => fixture.Server;

    private async Task<(HttpResponseMessage Response, JsonNode? Body)> GetTableAsync(string path)
    {
        using var http = Server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Clear();
        request.Headers.TryAddWithoutValidation("Accept", TableAccept);
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, JsonNode.Parse(text));
    }

    private async Task<string> NamespaceWithConfigMapAsync()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a", new Dictionary<string, string> { ["x"] = "y" }), ns);
        return ns;
    }

    [Fact]
    public async Task List_as_table_has_column_definitions_and_partial_object_metadata()
    {
        var ns = await NamespaceWithConfigMapAsync();
        var (response, table) = await GetTableAsync($"/api/v1/namespaces/{ns}/configmaps");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Table", (string?)table!["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)table["apiVersion"]);
        Assert.False(string.IsNullOrEmpty((string?)table["metadata"]!["resourceVersion"]));

        var columns = table["columnDefinitions"]!.AsArray();
        Assert.Equal(["Name", "Data", "Age"], columns.Select(c => (string)c!["name"]!));
        Assert.Equal("name", (string?)columns[0]!["format"]);
        Assert.Equal("string", (string?)columns[0]!["type"]);
        Assert.Equal(0, (int?)columns[0]!["priority"]);
        Assert.False(string.IsNullOrEmpty((string?)columns[0]!["description"]));

        var row = table["rows"]!.AsArray().Single()!;
        var cells = row["cells"]!.AsArray();
        Assert.Equal("a", (string?)cells[0]);
        Assert.Equal(1, (int?)cells[1]);
        var obj = row["object"]!;
        Assert.Equal("PartialObjectMetadata", (string?)obj["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)obj["apiVersion"]);
        Assert.Equal("a", (string?)obj["metadata"]!["name"]);
        Assert.Equal(ns, (string?)obj["metadata"]!["namespace"]);
        Assert.Equal("y", (string?)obj["metadata"]!["labels"]!["x"]);
        Assert.Null(obj["data"]);
    }

    [Fact]
    public async Task Include_object_selects_what_each_row_carries()
    {
        var ns = await NamespaceWithConfigMapAsync();
        var (_, full) = await GetTableAsync($"/api/v1/namespaces/{ns}/configmaps?includeObject=Object");
        var obj = full!["rows"]![0]!["object"]!;
        Assert.Equal("ConfigMap", (string?)obj["kind"]);
        Assert.Equal("v", (string?)obj["data"]!["k"]);

        var (_, none) = await GetTableAsync($"/api/v1/namespaces/{ns}/configmaps?includeObject=None");
        Assert.Null(none!["rows"]![0]!["object"]);

        var (bad, body) = await GetTableAsync($"/api/v1/namespaces/{ns}/configmaps?includeObject=Everything");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("Status", (string?)body!["kind"]);
    }

    [Fact]
    public async Task A_single_object_as_table_has_one_row()
    {
        var ns = await NamespaceWithConfigMapAsync();
        var (response, table) = await GetTableAsync($"/api/v1/namespaces/{ns}/configmaps/a");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Table", (string?)table!["kind"]);
        Assert.Equal("a", (string?)table["rows"]!.AsArray().Single()!["cells"]![0]);
    }

    [Fact]
    public async Task Plain_json_accept_gets_the_list_kind()
    {
        var ns = await NamespaceWithConfigMapAsync();
        using var http = Server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await http.SendAsync(request);
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ConfigMapList", (string?)list["kind"]);
        Assert.Equal("v1", (string?)list["apiVersion"]);
        Assert.Equal("a", (string?)list["items"]![0]!["metadata"]!["name"]);
    }
}
