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
}
