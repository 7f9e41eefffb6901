using System.Net;
using System.Text;
using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Api;

/// <summary>
/// Bad input gets the right metav1.Status (code, reason, causes), and afterwards the server still
/// answers and stored objects are unchanged.
/// </summary>
public sealed partial class BadRequestTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    /// <summary>A namespace with one ConfigMap "keep" whose resourceVersion is recorded.</summary>
    private async Task<(string Ns, string Rv)> SentinelAsync()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var cm = await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("keep"), ns);
        return (ns, cm.Metadata.ResourceVersion);
    }

    /// <summary>The server still answers, and the sentinel and the namespace's contents are untouched.</summary>
    private async Task AssertUnharmedAsync(string ns, string rv, params string[] expectedNames)
    {
        using var http = Server.Http();
        Assert.Equal("ok", await http.GetStringAsync("/readyz"));
        using var client = Server.Client();
        var list = await client.CoreV1.ListNamespacedConfigMapAsync(ns);
        Assert.Equal(expectedNames.Length == 0 ? ["keep"] : expectedNames, list.Items.Select(i => i.Metadata.Name));
        var keep = list.Items.Single(i => i.Metadata.Name == "keep");
        Assert.Equal(rv, keep.Metadata.ResourceVersion);
        Assert.Equal("v", keep.Data["k"]);
    }

    private static StringContent Body(string text, string contentType = "application/json") =>
        new(text, Encoding.UTF8, contentType);

    [Fact]
    public async Task Malformed_json_is_400()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"""));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("BadRequest", (string?)status["reason"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Malformed_json_on_update_is_400()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PutAsync($"/api/v1/namespaces/{ns}/configmaps/keep", Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep"},"data":{"k":1"""));
        await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Malformed_yaml_is_400()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Body("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n", "application/yaml"));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("BadRequest", (string?)status["reason"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Yaml_bodies_are_accepted()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Body("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: b\n", "application/yaml"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await AssertUnharmedAsync(ns, rv, "keep", "y");
    }

    [Fact]
    public async Task Unknown_resource_paths_are_404()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        foreach (var path in new[]
        {
            $"/api/v1/namespaces/{ns}/widgets",
            "/apis/example.com/v1/things",
            "/apis/apps/v9/deployments",
            "/api/v2/pods",
        })
        {
            var status = await TestObjects.StatusOf(await http.GetAsync(path), HttpStatusCode.NotFound);
            Assert.Equal("NotFound", (string?)status["reason"]);
            Assert.Equal("the server could not find the requested resource", (string?)status["message"]);
        }
        var r = await fixture.Kubectl.RunAsync($"get widgets -n {ns}");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: the server doesn't have a resource type \"widgets\"\n", r.Stderr);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Post_to_a_named_path_is_405()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps/keep", Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep"}}"""));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("MethodNotAllowed", (string?)status["reason"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Wrong_api_version_in_the_body_is_400()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Body("""{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}"""));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("BadRequest", (string?)status["reason"]);
        Assert.Equal("the API version in the data (apps/v1) does not match the expected API version (v1)", (string?)status["message"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Wrong_kind_in_the_body_is_400()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Body("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"""));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("BadRequest", (string?)status["reason"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Namespace_in_the_body_must_match_the_path()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"elsewhere"}}"""));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("the namespace of the provided object does not match the namespace sent on the request", (string?)status["message"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Create_in_a_missing_namespace_is_404()
    {
        using var client = Server.Client();
        var (code, status) = await TestObjects.FailureOf(() => client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("x"), "no-such-namespace"));
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("namespaces \"no-such-namespace\" not found", status.Message);
    }

    [Fact]
    public async Task Body_over_3_MiB_is_413()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var big = new string('x', 3 * 1024 * 1024 + 1024);
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", TestObjects.Json(new { apiVersion = "v1", kind = "ConfigMap", metadata = new { name = "big" }, data = new { k = big } }));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("RequestEntityTooLarge", (string?)status["reason"]);
        Assert.Equal("Request entity too large: limit is 3145728", (string?)status["message"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Missing_name_is_422_required()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}"""));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Invalid", (string?)status["reason"]);
        var cause = status["details"]!["causes"]!.AsArray().First()!;
        Assert.Equal("metadata.name", (string?)cause["field"]);
        Assert.Equal("FieldValueRequired", (string?)cause["reason"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Malformed_merge_patch_is_400()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/keep", Body("""{"data":""", "application/merge-patch+json"));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("BadRequest", (string?)status["reason"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Patch_with_an_unknown_content_type_is_415()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/keep", Body("""{"data":{"k":"x"}}""", "text/plain"));
        var status = await TestObjects.StatusOf(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("UnsupportedMediaType", (string?)status["reason"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Update_with_an_invalid_body_leaves_the_object_unchanged()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var response = await http.PutAsync($"/api/v1/namespaces/{ns}/configmaps/keep",
            TestObjects.Json(new { apiVersion = "v1", kind = "ConfigMap", metadata = new { name = "other", resourceVersion = rv }, data = new { k = "changed" } }));
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await AssertUnharmedAsync(ns, rv);
    }

    [Theory]
    [InlineData("a%20in%20(")]
    [InlineData("a%3D%3D%3Db")]
    [InlineData("!")]
    [InlineData("a%3Db%20c")]
    public async Task Bad_label_selector_is_400(string selector)
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var status = await TestObjects.StatusOf(await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?labelSelector={selector}"), HttpStatusCode.BadRequest);
        Assert.Equal("BadRequest", (string?)status["reason"]);
        await AssertUnharmedAsync(ns, rv);
    }

    [Fact]
    public async Task Bad_field_selector_is_400()
    {
        var (ns, rv) = await SentinelAsync();
        using var http = Server.Http();
        var status = await TestObjects.StatusOf(await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?fieldSelector=metadata.name%20in%20(a)"), HttpStatusCode.BadRequest);
        Assert.Equal("BadRequest", (string?)status["reason"]);
        await AssertUnharmedAsync(ns, rv);
    }

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
}
