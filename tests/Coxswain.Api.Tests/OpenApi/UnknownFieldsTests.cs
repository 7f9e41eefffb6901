using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Api.Schema;
using k8s.Models;

namespace Coxswain.Api.Tests.OpenApi;

[Collection(Documents.Collection)]
public class UnknownFieldsTests
{
    private static readonly TypeSchema Pod = ModelSchemas.For(typeof(V1Pod));
    private static readonly TypeSchema Deployment = ModelSchemas.For(typeof(V1Deployment));

    /// <summary>Both overloads on JSON without duplicates; they must agree.</summary>
    private static IReadOnlyList<string> Find(string json, TypeSchema schema)
    {
        var fromBytes = UnknownFields.Find(Encoding.UTF8.GetBytes(json), schema);
        var fromNode = UnknownFields.Find(JsonNode.Parse(json), schema);
        Assert.Equal(fromBytes, fromNode);
        return fromBytes;
    }

    [Fact]
    public void A_valid_pod_has_no_problems()
    {
        var json = """
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"web","labels":{"app":"web","tier":"front"},"annotations":{"a":"b"},
                     "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r","uid":"u","controller":true}]},
         "spec":{"containers":[{"name":"c","image":"nginx","args":["-v"],
                   "ports":[{"containerPort":80,"protocol":"TCP"}],
                   "env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
                   "resources":{"limits":{"cpu":1,"memory":"1Gi"},"requests":{"cpu":"100m"}},
                   "livenessProbe":{"httpGet":{"port":"http","path":"/"},"periodSeconds":5},
                   "readinessProbe":{"tcpSocket":{"port":8080}}}],
                 "nodeSelector":{"disk":"ssd"},"tolerations":[{"key":"k","operator":"Exists"}]},
         "status":{"phase":"Pending"}}
        """;
        Assert.Empty(Find(json, Pod));
    }

    [Fact]
    public void Unknown_fields_are_named_by_their_path()
    {
        var json = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","bogusMeta":1},
         "spec":{"foo":{"deep":[1,2]},"containers":[{"name":"a"},{"name":"b","bogus":true,
                 "ports":[{"containerPort":80,"hostPortt":81}]}]},
         "extra":"x"}
        """;
        Assert.Equal(
        [
            "unknown field \"metadata.bogusMeta\"",
            "unknown field \"spec.foo\"",
            "unknown field \"spec.containers[1].bogus\"",
            "unknown field \"spec.containers[1].ports[0].hostPortt\"",
            "unknown field \"extra\"",
        ], Find(json, Pod));
    }

    [Fact]
    public void Nested_templates_are_checked()
    {
        var json = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"d"}},
                 "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}},
                 "template":{"metadata":{"labels":{"app":"d"}},
                             "spec":{"containers":[{"name":"c","image":"i","volumeMounts":[{"name":"v","mountPath":"/x","bad":1}]}]}}}}
        """;
        Assert.Equal(["unknown field \"spec.template.spec.containers[0].volumeMounts[0].bad\""], Find(json, Deployment));
    }

    [Fact]
    public void Maps_and_free_form_values_take_any_key()
    {
        var json = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"w","labels":{"anything.example.com/x":"y"},
         "managedFields":[{"manager":"m","fieldsV1":{"f:spec":{"f:containers":{}}}}]},
         "spec":{"containers":[{"name":"c","resources":{"limits":{"nvidia.com/gpu":"1"}}}],"overhead":{"cpu":"1"}}}
        """;
        Assert.Empty(Find(json, Pod));
        var revision = """{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"r"},"revision":1,"data":{"spec":{"anything":true}}}""";
        Assert.Empty(Find(revision, ModelSchemas.For(typeof(V1ControllerRevision))));
    }

    [Fact]
    public void Quantities_and_int_or_strings_take_strings_or_numbers()
    {
        var json = """
        {"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":0.5,"memory":"64Mi"}},
                  "startupProbe":{"httpGet":{"port":8080}},"livenessProbe":{"httpGet":{"port":"web"}}}]}}
        """;
        Assert.Empty(Find(json, Pod));
    }

    [Fact]
    public void Values_of_the_wrong_type_are_not_this_checks_business()
    {
        Assert.Empty(Find("""{"spec":{"containers":{"name":"c"},"nodeSelector":["a"]},"metadata":"x"}""", Pod));
        Assert.Empty(Find("""{"spec":null,"metadata":{"labels":null}}""", Pod));
    }

    [Fact]
    public void Top_level_type_fields_are_always_known()
    {
        var bare = new TypeSchema
        {
            Kind = SchemaKind.Object,
            ClrType = typeof(object),
            Properties = new Dictionary<string, PropertySchema>(),
        };
        Assert.Equal(["unknown field \"spec\""], Find("""{"apiVersion":"v1","kind":"X","metadata":{"a":1},"spec":{}}""", bare));
        // Below the top level they are ordinary fields.
        Assert.Equal(["unknown field \"spec.containers[0].kind\""], Find("""{"spec":{"containers":[{"kind":"x"}]}}""", Pod));
    }

    [Fact]
    public void Duplicate_fields_are_found_in_raw_json()
    {
        var json = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","name":"b","labels":{"x":"1","x":"2"}},
         "spec":{"containers":[{"name":"c","image":"i","image":"j","zz":1,"zz":2}]}}
        """;
        Assert.Equal(
        [
            "duplicate field \"metadata.name\"",
            "duplicate field \"metadata.labels.x\"",
            "duplicate field \"spec.containers[0].image\"",
            "unknown field \"spec.containers[0].zz\"",
            "duplicate field \"spec.containers[0].zz\"",
        ], UnknownFields.Find(Encoding.UTF8.GetBytes(json), Pod));
    }

    [Fact]
    public void Big_maps_still_find_duplicates()
    {
        var keys = string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"k{i}\":\"v\""));
        var json = "{\"metadata\":{\"annotations\":{" + keys + ",\"k7\":\"again\"}}}";
        Assert.Equal(["duplicate field \"metadata.annotations.k7\""], UnknownFields.Find(Encoding.UTF8.GetBytes(json), Pod));
    }

    [Fact]
    public void Escaped_and_long_names_are_read_correctly()
    {
        var longName = new string('q', 400);
        var json = "{\"spec\":{\"\\u0063ontainers\":[{\"n\\u0061me\":\"c\",\"" + longName + "\":1}]}}";
        Assert.Equal([$"unknown field \"spec.containers[0].{longName}\""], UnknownFields.Find(Encoding.UTF8.GetBytes(json), Pod));
    }

    [Fact]
    public void Malformed_json_throws()
    {
        Assert.ThrowsAny<JsonException>(() => UnknownFields.Find("{\"spec\":"u8, Pod));
    }

    [Fact]
    public void Many_calls_on_many_threads_agree()
    {
        var json = Encoding.UTF8.GetBytes("""{"spec":{"containers":[{"name":"c","bogus":1}]}}""");
        Parallel.For(0, 2000, _ => Assert.Equal(["unknown field \"spec.containers[0].bogus\""], UnknownFields.Find(json, Pod)));
    }
}
