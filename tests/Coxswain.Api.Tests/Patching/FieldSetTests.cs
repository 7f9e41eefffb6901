using System.Text.Json.Nodes;
using Coxswain.Api.Patching;
using static Coxswain.Api.Tests.Patching.TestJson;

namespace Coxswain.Api.Tests.Patching;

public class FieldSetTests
{
    [Fact]
    public void SerializesInUpstreamOrder()
    {
        var set = FieldSet.Of(
            [PathElement.Field("spec"), PathElement.Field("ports"), PathElement.Key([new("protocol", JsonValue.Create("UDP")), new("port", JsonValue.Create(53))])],
            [PathElement.Field("spec"), PathElement.Field("ports"), PathElement.Key([new("port", JsonValue.Create(53)), new("protocol", JsonValue.Create("TCP"))])],
            [PathElement.Field("spec"), PathElement.Field("ports"), PathElement.Key([new("port", JsonValue.Create(53)), new("protocol", JsonValue.Create("TCP"))]), PathElement.Field("port")],
            [PathElement.Field("metadata"), PathElement.Field("finalizers"), PathElement.ValueOf(JsonValue.Create("b"))],
            [PathElement.Field("metadata"), PathElement.Field("finalizers"), PathElement.ValueOf(JsonValue.Create("a"))],
            [PathElement.Field("metadata"), PathElement.Field("finalizers")],
            [PathElement.Field("apiVersion")]);
        Assert.Equal(
            """{"f:apiVersion":{},"f:metadata":{"f:finalizers":{".":{},"v:\"a\"":{},"v:\"b\"":{}}},"f:spec":{"f:ports":{"k:{\"port\":53,\"protocol\":\"TCP\"}":{".":{},"f:port":{}},"k:{\"port\":53,\"protocol\":\"UDP\"}":{}}}}""",
            set.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    [Fact]
    public void RoundTripsFieldsV1()
    {
        const string fields = """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{}}},"f:list":{"i:0":{}},"f:x":{}}}""";
        var set = FieldSet.FromJson(O(fields));
        Equal(fields, set.ToJson());
        Assert.True(set.Has([PathElement.Field("metadata"), PathElement.Field("labels")]));
        Assert.True(set.Has([PathElement.Field("spec"), PathElement.Field("containers"), PathElement.Key([new("name", JsonValue.Create("nginx"))])]));
        Assert.False(set.Has([PathElement.Field("spec")]));
    }

    [Fact]
    public void SetOperations()
    {
        var a = FieldSet.FromJson(O("""{"f:a":{"f:b":{},"f:c":{}},"f:d":{}}"""));
        var b = FieldSet.FromJson(O("""{"f:a":{"f:c":{},"f:e":{}}}"""));
        Equal("""{"f:a":{"f:b":{},"f:c":{},"f:e":{}},"f:d":{}}""", a.Union(b).ToJson());
        Equal("""{"f:a":{"f:c":{}}}""", a.Intersection(b).ToJson());
        Equal("""{"f:a":{"f:b":{}},"f:d":{}}""", a.Difference(b).ToJson());
        Equal("""{"f:d":{}}""", a.RecursiveDifference(FieldSet.FromJson(O("""{"f:a":{}}"""))).ToJson());
    }

    [Fact]
    public void PathsPrintAsInConflictMessages()
    {
        PathElement[] path =
        [
            PathElement.Field("spec"), PathElement.Field("ports"),
            PathElement.Key([new("protocol", JsonValue.Create("TCP")), new("port", JsonValue.Create(80))]),
            PathElement.Field("name"),
        ];
        Assert.Equal(".spec.ports[port=80,protocol=\"TCP\"].name", PathElement.PathString(path));
        Assert.Equal(".metadata.finalizers[=\"x\"]", PathElement.PathString([PathElement.Field("metadata"), PathElement.Field("finalizers"), PathElement.ValueOf(JsonValue.Create("x"))]));
    }
}
