using System.Net;
using System.Text;
using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Api;

public sealed partial class BadRequestTests
{
    [Fact]
    public async Task Configmap_over_1_MiB_is_422()
    {
        var (ns, rv) = await SentinelAsync();
        using var client = Server.Client();
        var (code, status) = await TestObjects.FailureOf(() => client.CoreV1.CreateNamespacedConfigMapAsync(
            TestObjects.ConfigMap("big", data: new Dictionary<string, string> { ["k"] = new string('x', 1024 * 1024 + 1) }), ns));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Invalid", status.Reason);
        Assert.Contains("Too long: must have at most 1048576 bytes", status.Message);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Invalid_configmap_keys_are_422()
    {
        var (ns, rv) = await SentinelAsync();
        using var client = Server.Client();
        var (code, status) = await TestObjects.FailureOf(() => client.CoreV1.CreateNamespacedConfigMapAsync(
            TestObjects.ConfigMap("x", data: new Dictionary<string, string> { ["bad key"] = "v" }), ns));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("data[bad key]", status.Details.Causes.Single().Field);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Invalid_deployment_spec_lists_each_field()
    {
        var (ns, rv) = await SentinelAsync();
        using var client = Server.Client();
        var d = TestObjects.Deployment("web");
        d.Spec.Replicas = -1;
        d.Spec.Template.Metadata.Labels = new Dictionary<string, string> { ["app"] = "other" };
        d.Spec.Template.Spec.Containers[0].Image = null;
        var (code, status) = await TestObjects.FailureOf(() => client.AppsV1.CreateNamespacedDeploymentAsync(d, ns));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Invalid", status.Reason);
        var fields = status.Details.Causes.Select(c => c.Field).ToList();
        Assert.Contains("spec.replicas", fields);
        Assert.Contains("spec.template.metadata.labels", fields);
        Assert.Contains("spec.template.spec.containers[0].image", fields);
        Assert.Contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0", status.Message);
        Assert.Contains("spec.template.spec.containers[0].image: Required value", status.Message);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Invalid_label_values_are_422()
    {
        var (ns, rv) = await SentinelAsync();
        using var client = Server.Client();
        var (code, status) = await TestObjects.FailureOf(() => client.CoreV1.CreateNamespacedConfigMapAsync(
            TestObjects.ConfigMap("x", new Dictionary<string, string> { ["app"] = "has space" }), ns));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("metadata.labels", status.Details.Causes.Single().Field);
        Assert.Contains("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'", status.Message);
        await AssertUnharmedAsync(ns, rv);
    }

    [Theory]
    [InlineData("Bad_Name", "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]
    [InlineData("-leading", "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]
    public async Task Invalid_names_are_422_invalid_with_a_metadata_name_cause(string name, string detail)
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", TestObjects.Json(new { apiVersion = "v1", kind = "ConfigMap", metadata = new { name } }));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.Equal($"ConfigMap \"{name}\" is invalid: metadata.name: Invalid value: \"{name}\": {detail}", (string?)status["message"]);
        Assert.Equal(name, (string?)status["details"]!["name"]);
        Assert.Equal("ConfigMap", (string?)status["details"]!["kind"]);
        var cause = status["details"]!["causes"]!.AsArray().Single()!;
        Assert.Equal("FieldValueInvalid", (string?)cause["reason"]);
        Assert.Equal("metadata.name", (string?)cause["field"]);
        Assert.Equal($"Invalid value: \"{name}\": {detail}", (string?)cause["message"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Json_patch_on_a_missing_path_is_422()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/keep", Body("""[{"op":"replace","path":"/spec/nothing","value":"x"}]""", "application/json-patch+json"));
        await TestObjects.StatusOf(response, HttpStatusCode.UnprocessableEntity);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Json_patch_that_is_not_a_list_is_400()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/keep", Body("""{"op":"replace","path":"/data/k","value":"x"}""", "application/json-patch+json"));
        await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Kubectl_prints_invalid_errors_with_the_field()
    {
        var (ns, rv) = await SentinelAsync();
        var r = await fixture.Kubectl.RunAsync($"create -n {ns} --validate=false -f -", TestObjects.ConfigMapYaml("Bad_Name"));
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", r.Stderr);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Kubectl_strict_validation_names_the_unknown_field()
    {
        var (ns, rv) = await SentinelAsync();
        var yaml = TestObjects.DeploymentYaml("web").Replace("spec:\n  replicas: 2\n", "spec:\n  foo: bar\n  replicas: 2\n");
        var r = await fixture.Kubectl.RunAsync($"create -n {ns} --validate=strict -f -", yaml);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("unknown field \"spec.foo\"", r.Stderr);
        Assert.Equal(1, (await fixture.Kubectl.RunAsync($"get deploy web -n {ns}")).ExitCode);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Patch_that_makes_the_object_invalid_is_422()
    {
        var (ns, rv) = await SentinelAsync();
        using var client = Server.Client();
        await client.AppsV1.CreateNamespacedDeploymentAsync(TestObjects.Deployment("web"), ns);
        using var http = Server.Http();
        var response = await http.PatchAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web", Body("""{"spec":{"replicas":-3}}""", "application/merge-patch+json"));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.Equal("spec.replicas", (string?)status["details"]!["causes"]![0]!["field"]);
        Assert.Equal(3, (await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Service_names_must_be_dns_1035_labels()
    {
        var (ns, rv) = await SentinelAsync();
        using var client = Server.Client();
        var (code, status) = await TestObjects.FailureOf(() => client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "1web" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
        }, ns));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("metadata.name", status.Details.Causes.First().Field);
        Assert.Contains("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", status.Message);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Status_causes_carry_the_message_without_the_field_path()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}"""));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required", (string?)status["message"]);
        var cause = status["details"]!["causes"]!.AsArray().First()!;
        Assert.Equal("Required value: name or generateName is required", (string?)cause["message"]);
        await AssertUnharmedAsync(ns, rv);
    }

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
    public async Task Unknown_field_with_warn_validation_is_created_with_a_warning()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Warn",
            Body(TestObjectsJson.DeploymentWithUnknownField));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("Warning", out var warnings));
        Assert.Contains("299 - \"unknown field \\\"spec.foo\\\"\"", warnings);

        var ignored = await http.PostAsync($"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Ignore",
            Body(TestObjectsJson.DeploymentWithUnknownField.Replace("\"name\":\"web\"", "\"name\":\"web2\"")));
        Assert.Equal(HttpStatusCode.Created, ignored.StatusCode);
        Assert.False(ignored.Headers.Contains("Warning"));
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
