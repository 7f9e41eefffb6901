using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Api.OpenApi;
using Coxswain.Api.Schema;
using k8s.Models;
using static Coxswain.Api.Tests.OpenApi.Documents;

namespace Coxswain.Api.Tests.OpenApi;

[Collection(Documents.Collection)]
public class SchemaWriterTests
{
    /// <summary>A PodSpec-like object whose containers carry the metadata upstream gives them.</summary>
    private static TypeSchema Spec()
    {
        var container = new TypeSchema
        {
            Kind = SchemaKind.Object,
            ClrType = typeof(V1Container),
            ModelName = "V1Container",
            Description = "A single application container\nthat you want to run within a pod.",
            Properties = new Dictionary<string, PropertySchema>
            {
                ["name"] = new() { Name = "name", Type = new TypeSchema { Kind = SchemaKind.String, ClrType = typeof(string) } },
            },
        };
        var containers = new PropertySchema
        {
            Name = "containers",
            Description = "List of containers belonging to the pod.\nCannot be updated.\n\nSecond paragraph.",
            Type = new TypeSchema { Kind = SchemaKind.Array, ClrType = typeof(IList<V1Container>), Items = container },
            PatchStrategy = "merge",
            PatchMergeKey = "name",
            ListType = "map",
            ListMapKeys = ["name"],
        };
        var selector = new PropertySchema
        {
            Name = "nodeSelector",
            Type = new TypeSchema
            {
                Kind = SchemaKind.Map,
                ClrType = typeof(IDictionary<string, string>),
                Items = new TypeSchema { Kind = SchemaKind.String, ClrType = typeof(string) },
            },
            MapType = "atomic",
        };
        return new TypeSchema
        {
            Kind = SchemaKind.Object,
            ClrType = typeof(V1PodSpec),
            ModelName = "V1PodSpec",
            Properties = new Dictionary<string, PropertySchema> { ["containers"] = containers, ["nodeSelector"] = selector },
            StructType = "atomic",
        };
    }

    private static JsonObject Write(TypeSchema schema, bool openApi3)
    {
        var set = new SchemaSet();
        set.Add(schema);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            new SchemaWriter(set, openApi3).WriteDefinitions(w);
            w.WriteEndObject();
        }
        return (JsonObject)JsonNode.Parse(buffer.WrittenSpan)!;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Patch_and_list_metadata_become_x_kubernetes_extensions(bool openApi3)
    {
        var spec = Write(Spec(), openApi3)["io.k8s.api.core.v1.PodSpec"]!;
        var containers = spec["properties"]!["containers"]!;
        Assert.Equal("merge", Str(containers["x-kubernetes-patch-strategy"]));
        Assert.Equal("name", Str(containers["x-kubernetes-patch-merge-key"]));
        Assert.Equal("map", Str(containers["x-kubernetes-list-type"]));
        Assert.Equal(["name"], containers["x-kubernetes-list-map-keys"]!.AsArray().Select(Str));
        Assert.Equal("atomic", Str(spec["properties"]!["nodeSelector"]!["x-kubernetes-map-type"]));
        Assert.Equal("atomic", Str(spec["x-kubernetes-map-type"]));
    }

    [Fact]
    public void Wrapped_doc_lines_are_joined_and_paragraphs_kept()
    {
        var defs = Write(Spec(), openApi3: true);
        Assert.Equal("List of containers belonging to the pod. Cannot be updated.\n\nSecond paragraph.",
            Str(defs["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!["description"]));
        Assert.Equal("A single application container that you want to run within a pod.",
            Str(defs["io.k8s.api.core.v1.Container"]!["description"]));
    }

    [Fact]
    public void Swagger_puts_the_reference_beside_the_description_and_openapi3_wraps_it()
    {
        var v2 = Write(Spec(), openApi3: false)["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!["items"]!;
        Assert.Equal("#/definitions/io.k8s.api.core.v1.Container", Str(v2["$ref"]));
        var v3 = Write(Spec(), openApi3: true)["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!["items"]!;
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Container", Str(v3["allOf"]![0]!["$ref"]));
    }

    [Fact]
    public void Published_descriptions_are_the_model_docs()
    {
        // Empty when KubernetesClient.xml is not next to the assembly; the documents then say nothing.
        var expected = ModelSchemas.For(typeof(V1Pod)).Description;
        var published = Str(V3("api/v1")["components"]!["schemas"]!["io.k8s.api.core.v1.Pod"]!["description"]);
        Assert.Equal(string.IsNullOrEmpty(expected) ? null : string.Join(" ", expected.Split('\n').Select(l => l.Trim())), published);
    }
}
