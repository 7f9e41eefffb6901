using System.Net;
using System.Text;
using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Api;

public sealed partial class BadRequestTests
{
    [Fact]
    public async Task Strict_field_validation_names_nested_unknown_fields()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Strict", Body(TestObjectsJson.DeploymentWithUnknownField));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\"", (string?)status["message"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Unknown_field_with_strict_validation_is_400_naming_the_field()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict",
            Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":"b"},"spec":{"foo":1}}"""));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("BadRequest", (string?)status["reason"]);
        Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"spec\"", (string?)status["message"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Wrong_kind_in_the_body_gets_the_upstream_message()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Body("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"""));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        Assert.StartsWith("Secret in version \"v1\" cannot be handled as a ConfigMap", (string?)status["message"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Patch_that_leaves_an_undecodable_object_is_422_on_the_patch_field()
    {
        var (ns, rv) = await SentinelAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedResourceQuotaAsync(new V1ResourceQuota
        {
            Metadata = new V1ObjectMeta { Name = "q" },
            Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["pods"] = new("10") } },
        }, ns);
        using var http = Server.Http();
        const string quantityWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

        // Upstream's jsonPatcher: the patched object does not decode -> Invalid, field "patch", kind and name empty.
        var response = await http.PatchAsync($"/api/v1/namespaces/{ns}/resourcequotas/q", Body("""{"spec":{"hard":{"pods":"abc"}}}""", "application/merge-patch+json"));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.StartsWith(" \"\" is invalid: patch: Invalid value: \"{", (string?)status["message"]);
        Assert.EndsWith("\": " + quantityWrong, (string?)status["message"]);
        Assert.Equal("patch", (string?)status["details"]!["causes"]![0]!["field"]);

        // The same value in a whole object (PUT) is a decode error of the body: 400.
        var put = await http.PutAsync($"/api/v1/namespaces/{ns}/resourcequotas/q",
            Body("{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\",\"metadata\":{\"name\":\"q\",\"namespace\":\"" + ns + "\"},\"spec\":{\"hard\":{\"pods\":\"abc\"}}}"));
        var putStatus = await TestObjects.StatusOf(put, HttpStatusCode.BadRequest);
        Assert.EndsWith(quantityWrong, (string?)putStatus["message"]);

        Assert.Equal("10", (await client.CoreV1.ReadNamespacedResourceQuotaAsync("q", ns)).Spec.Hard["pods"].ToString());
        await AssertUnharmedAsync(ns, rv);
    }
}
