using System.Text.Json.Nodes;
using Coxswain.Api.Resources;
using static Coxswain.Api.Tests.OpenApi.Documents;

namespace Coxswain.Api.Tests.OpenApi;

[Collection(Documents.Collection)]
public class SwaggerDocumentTests
{
    [Fact]
    public void Is_a_swagger_2_document_with_upstream_definition_names()
    {
        var doc = V2;
        Assert.Equal("2.0", Str(doc["swagger"]));
        Assert.Equal("Kubernetes", Str(doc["info"]!["title"]));
        var definitions = doc["definitions"]!.AsObject();
        foreach (var name in new[]
        {
            "io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.PodSpec", "io.k8s.api.core.v1.Container",
            "io.k8s.api.apps.v1.Deployment", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
            "io.k8s.api.autoscaling.v1.Scale", "io.k8s.api.events.v1.Event", "io.k8s.api.core.v1.Event",
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
            "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
        })
        {
            Assert.True(definitions.ContainsKey(name), name);
        }
    }

    [Fact]
    public void Scalars_with_their_own_definitions_are_strings_with_upstream_formats()
    {
        var definitions = V2["definitions"]!;
        Assert.Equal("string", Str(definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"]!["type"]));
        Assert.Equal("int-or-string", Str(definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["format"]));
        Assert.Equal("date-time", Str(definitions["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]!["format"]));
        Assert.Equal("date-time", Str(definitions["io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"]!["format"]));

        var container = definitions["io.k8s.api.core.v1.Container"]!["properties"]!;
        Assert.Equal("#/definitions/io.k8s.api.core.v1.ResourceRequirements", Str(container["resources"]!["$ref"]));
        var limits = definitions["io.k8s.api.core.v1.ResourceRequirements"]!["properties"]!["limits"]!;
        Assert.Equal("object", Str(limits["type"]));
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity", Str(limits["additionalProperties"]!["$ref"]));
        var port = definitions["io.k8s.api.core.v1.HTTPGetAction"]!["properties"]!["port"]!;
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString", Str(port["$ref"]));
        var created = definitions["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]!["properties"]!["creationTimestamp"]!;
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time", Str(created["$ref"]));
        var leaseRenew = definitions["io.k8s.api.coordination.v1.LeaseSpec"]!["properties"]!["renewTime"]!;
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime", Str(leaseRenew["$ref"]));
        var secretData = definitions["io.k8s.api.core.v1.Secret"]!["properties"]!["data"]!["additionalProperties"]!;
        Assert.Equal("byte", Str(secretData["format"]));
    }

    [Fact]
    public void Root_kinds_and_lists_carry_their_group_version_kind()
    {
        var definitions = V2["definitions"]!;
        foreach (var def in ResourceCatalog.Default.All)
        {
            var kind = definitions[Coxswain.Api.OpenApi.DefinitionNames.For(def.ModelType)]!;
            Assert.True(HasGvk(kind["x-kubernetes-group-version-kind"], def.Group, def.Version, def.Kind), def.ToString());
            var list = definitions[Coxswain.Api.OpenApi.DefinitionNames.For(def.ListModelType)]!;
            Assert.True(HasGvk(list["x-kubernetes-group-version-kind"], def.Group, def.Version, def.Kind + "List"), def.ToString());
        }
        Assert.Null(definitions["io.k8s.api.core.v1.PodSpec"]!["x-kubernetes-group-version-kind"]);
    }

    [Fact]
    public void Required_fields_are_listed()
    {
        var definitions = V2["definitions"]!;
        Assert.Contains("containerPort", definitions["io.k8s.api.core.v1.ContainerPort"]!["required"]!.AsArray().Select(Str));
        Assert.Contains("name", definitions["io.k8s.api.core.v1.Container"]!["required"]!.AsArray().Select(Str));
        Assert.Contains("containers", definitions["io.k8s.api.core.v1.PodSpec"]!["required"]!.AsArray().Select(Str));
        Assert.Equal(["selector", "template"], definitions["io.k8s.api.apps.v1.DeploymentSpec"]!["required"]!.AsArray().Select(Str));
    }

    [Fact]
    public void Every_reference_resolves()
    {
        var doc = V2;
        var definitions = doc["definitions"]!.AsObject();
        foreach (var r in Refs(doc).Distinct())
        {
            Assert.StartsWith("#/definitions/", r);
            Assert.True(definitions.ContainsKey(r["#/definitions/".Length..]), r);
        }
    }

    [Fact]
    public void Every_resource_has_its_paths_and_operations()
    {
        var paths = V2["paths"]!.AsObject();
        foreach (var def in ResourceCatalog.Default.All)
        {
            var prefix = def.Group.Length == 0 ? "/api/v1" : $"/apis/{def.Group}/{def.Version}";
            var collection = def.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{def.Plural}" : $"{prefix}/{def.Plural}";
            AssertOperation(paths, collection, "get", "list", def);
            AssertOperation(paths, collection, "post", "post", def);
            AssertOperation(paths, collection, "delete", "deletecollection", def);
            AssertOperation(paths, collection + "/{name}", "get", "get", def);
            AssertOperation(paths, collection + "/{name}", "put", "put", def);
            AssertOperation(paths, collection + "/{name}", "patch", "patch", def);
            AssertOperation(paths, collection + "/{name}", "delete", "delete", def);
            if (def.HasStatus)
            {
                AssertOperation(paths, collection + "/{name}/status", "patch", "patch", def);
            }
            if (def.Namespaced)
            {
                AssertOperation(paths, $"{prefix}/{def.Plural}", "get", "list", def);
            }
        }
    }

    [Fact]
    public void Writes_take_dry_run_field_manager_and_field_validation()
    {
        var item = V2["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!;
        foreach (var method in new[] { "put", "patch" })
        {
            var names = item[method]!["parameters"]!.AsArray().Select(p => Str(p!["name"])).ToList();
            Assert.Contains("body", names);
            Assert.Contains("dryRun", names);
            Assert.Contains("fieldManager", names);
            Assert.Contains("fieldValidation", names);
        }
        Assert.Contains("application/strategic-merge-patch+json", item["patch"]!["consumes"]!.AsArray().Select(Str));
        Assert.Contains("application/apply-patch+yaml", item["patch"]!["consumes"]!.AsArray().Select(Str));
        Assert.Equal("patchAppsV1NamespacedDeployment", Str(item["patch"]!["operationId"]));
        var pathParams = item["parameters"]!.AsArray().Select(p => Str(p!["name"])).ToList();
        Assert.Equal(["name", "namespace", "pretty"], pathParams);

        var scale = V2["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]!["patch"]!;
        Assert.True(HasGvk(scale["x-kubernetes-group-version-kind"], "autoscaling", "v1", "Scale"));
    }

    private static void AssertOperation(JsonObject paths, string path, string method, string action, ResourceDefinition def)
    {
        Assert.True(paths.ContainsKey(path), $"{path} missing");
        var op = paths[path]![method];
        Assert.True(op != null, $"{method} {path} missing");
        Assert.Equal(action, Str(op["x-kubernetes-action"]));
        Assert.True(HasGvk(op["x-kubernetes-group-version-kind"], def.Group, def.Version, def.Kind), $"{method} {path}");
    }
}
