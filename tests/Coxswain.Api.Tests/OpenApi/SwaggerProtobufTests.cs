using System.Text;
using System.Text.Json.Nodes;
using Coxswain.Api.OpenApi;

namespace Coxswain.Api.Tests.OpenApi;

/// <summary>Reads the protobuf /openapi/v2 back with a minimal wire-format reader (field numbers of gnostic's OpenAPIv2.proto).</summary>
[Collection(Documents.Collection)]
public class SwaggerProtobufTests
{
    private static readonly Message Document = Message.Parse(Documents.Shared.V2Protobuf);

    [Fact]
    public void Carries_the_swagger_version_and_info()
    {
        Assert.Equal("2.0", Document.String(1));
        var info = Document.Messages(2).Single();
        Assert.Equal("Kubernetes", info.String(1));
        Assert.Equal("v1.32.4", info.String(2));
        Assert.Equal("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", OpenApiDocuments.V2ProtobufContentType);
    }

    [Fact]
    public void Definitions_carry_their_kind_as_a_yaml_vendor_extension()
    {
        var definitions = Document.Messages(9).Single().Messages(1).ToDictionary(n => n.String(1)!, n => n.Messages(2).Single());
        Assert.Equal(
            JsonNode.Parse(Documents.Shared.V2)!["definitions"]!.AsObject().Select(d => d.Key).Order(StringComparer.Ordinal),
            definitions.Keys.Order(StringComparer.Ordinal));
        var pod = definitions["io.k8s.api.core.v1.Pod"];
        Assert.Equal("object", pod.Messages(22).Single().String(1));
        var gvk = pod.Messages(31).Single(e => e.String(1) == "x-kubernetes-group-version-kind");
        var yaml = gvk.Messages(2).Single().String(2)!;
        Assert.Equal("Pod", (string)JsonNode.Parse(yaml)![0]!["kind"]!);

        var spec = pod.Messages(25).Single().Messages(1).Single(p => p.String(1) == "spec").Messages(2).Single();
        Assert.Equal("#/definitions/io.k8s.api.core.v1.PodSpec", spec.String(1));
    }

    [Fact]
    public void Patch_operations_take_field_validation()
    {
        var paths = Document.Messages(8).Single().Messages(2).ToDictionary(n => n.String(1)!, n => n.Messages(2).Single());
        var patch = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].Messages(8).Single();
        Assert.Equal("patchAppsV1NamespacedDeployment", patch.String(5));
        Assert.Contains("application/strategic-merge-patch+json", patch.Strings(7));
        // ParametersItem.parameter.non_body_parameter.query_parameter_sub_schema.name
        var queryNames = patch.Messages(8)
            .SelectMany(item => item.Messages(1))
            .SelectMany(parameter => parameter.Messages(2))
            .SelectMany(nonBody => nonBody.Messages(3))
            .Select(query => query.String(4))
            .ToList();
        Assert.Contains("fieldValidation", queryNames);
        Assert.Contains("dryRun", queryNames);
        var body = patch.Messages(8).SelectMany(i => i.Messages(1)).SelectMany(p => p.Messages(1)).Single();
        Assert.Equal("body", body.String(2));
        var action = patch.Messages(13).Single(e => e.String(1) == "x-kubernetes-action");
        Assert.Equal("\"patch\"", action.Messages(2).Single().String(2));
    }

    /// <summary>The length-delimited fields of a protobuf message, by field number.</summary>
    private sealed class Message
    {
        private readonly List<(int Field, byte[] Bytes)> _fields = [];

        public static Message Parse(ReadOnlySpan<byte> data)
        {
            var m = new Message();
            var i = 0;
            while (i < data.Length)
            {
                var tag = Varint(data, ref i);
                var field = (int)(tag >> 3);
                switch (tag & 7)
                {
                    case 0:
                        Varint(data, ref i);
                        break;
                    case 2:
                        var length = (int)Varint(data, ref i);
                        m._fields.Add((field, data.Slice(i, length).ToArray()));
                        i += length;
                        break;
                    default:
                        throw new InvalidDataException($"wire type {tag & 7}");
                }
            }
            return m;
        }

        public IEnumerable<Message> Messages(int field) => _fields.Where(f => f.Field == field).Select(f => Parse(f.Bytes));

        public string? String(int field) => _fields.Where(f => f.Field == field).Select(f => Encoding.UTF8.GetString(f.Bytes)).FirstOrDefault();

        public IEnumerable<string> Strings(int field) => _fields.Where(f => f.Field == field).Select(f => Encoding.UTF8.GetString(f.Bytes));

        private static ulong Varint(ReadOnlySpan<byte> data, ref int i)
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data[i++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }
    }
}
