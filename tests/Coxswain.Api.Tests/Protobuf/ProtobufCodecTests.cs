using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using Coxswain.Api.Protobuf;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Tests.Protobuf;

/// <summary>Bodies built field by field with the numbers of k8s.io/api's generated.proto.</summary>
public sealed class ProtobufCodecTests
{
    private static readonly DateTime Jan2 = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private static readonly long Jan2Seconds = new DateTimeOffset(Jan2).ToUnixTimeSeconds();

    private static T Decode<T>(byte[] body) => KubernetesJson.Deserialize<T>(ProtobufCodec.Decode(body).ToJsonString());

    private static ProtoBuilder Meta(string name) => new ProtoBuilder().String(1, name);

    [Theory]
    [InlineData("application/vnd.kubernetes.protobuf", true)]
    [InlineData("Application/VND.Kubernetes.Protobuf", true)]
    [InlineData("application/vnd.kubernetes.protobuf; charset=utf-8", true)]
    [InlineData("application/vnd.kubernetes.protobuf;stream=watch", true)]
    [InlineData("application/json", false)]
    [InlineData("application/vnd.kubernetes.protobuf.x", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsProtobuf(string? contentType, bool expected) =>
        Assert.Equal(expected, ProtobufCodec.IsProtobuf(contentType));

    [Fact]
    public void Deployment_as_kubectl_create_deployment_sends_it()
    {
        var spec = new ProtoBuilder()
            .Varint(1, 2)
            .Message(2, s => s.Entry(1, "app", "web"))
            .Message(3, t => t
                .Message(1, new ProtoBuilder().Entry(11, "app", "web"))
                .Message(2, p => p.Message(2, c => c.String(1, "nginx").String(2, "nginx").Message(8, new ProtoBuilder()))))
            .Message(4, new ProtoBuilder())
            .Varint(5, 0)
            .Bool(7, false);
        var body = ProtoBuilder.Envelope("apps/v1", "Deployment",
            new ProtoBuilder()
                .Message(1, Meta("web").String(3, "").Message(8, new ProtoBuilder()).Entry(11, "app", "web")) // namespace "", zero creationTimestamp
                .Message(2, spec)
                .Message(3, new ProtoBuilder()));

        var d = Decode<V1Deployment>(body);

        Assert.Equal("apps/v1", d.ApiVersion);
        Assert.Equal("Deployment", d.Kind);
        Assert.Equal("web", d.Metadata.Name);
        Assert.Null(d.Metadata.NamespaceProperty);
        Assert.Null(d.Metadata.CreationTimestamp);
        Assert.Equal("web", d.Metadata.Labels["app"]);
        Assert.Equal(2, d.Spec.Replicas);
        Assert.Null(d.Spec.MinReadySeconds);
        Assert.Null(d.Spec.Paused);
        Assert.Equal("web", d.Spec.Selector.MatchLabels["app"]);
        Assert.Equal("web", d.Spec.Template.Metadata.Labels["app"]);
        Assert.Equal("nginx", Assert.Single(d.Spec.Template.Spec.Containers).Image);
    }

    [Fact]
    public void ConfigMap_with_data()
    {
        var body = ProtoBuilder.Envelope("v1", "ConfigMap", new ProtoBuilder()
            .Message(1, Meta("cm").String(3, "prod"))
            .Entry(2, "a.txt", "hello")
            .Entry(2, "b", "")
            .Bool(4, false));

        var cm = Decode<V1ConfigMap>(body);

        Assert.Equal("prod", cm.Metadata.NamespaceProperty);
        Assert.Equal(new Dictionary<string, string> { ["a.txt"] = "hello", ["b"] = "" }, cm.Data);
        Assert.False(cm.Immutable); // a pointer: false is kept
    }

    [Fact]
    public void Secret_with_binary_data()
    {
        byte[] key = [0, 1, 2, 0xff, 0xfe, 0x80];
        var body = ProtoBuilder.Envelope("v1", "Secret", new ProtoBuilder()
            .Message(1, Meta("s"))
            .Entry(2, "key", key)
            .Entry(2, "empty", [])
            .String(3, "Opaque"));

        var s = Decode<V1Secret>(body);

        Assert.Equal(key, s.Data["key"]);
        Assert.Empty(s.Data["empty"]);
        Assert.Equal("Opaque", s.Type);
    }

    [Fact]
    public void Namespace()
    {
        var ns = Decode<V1Namespace>(ProtoBuilder.Envelope("v1", "Namespace", new ProtoBuilder()
            .Message(1, Meta("team-a").Entry(12, "owner", "me"))
            .Message(2, new ProtoBuilder().String(1, "kubernetes"))));

        Assert.Equal("team-a", ns.Metadata.Name);
        Assert.Equal("me", ns.Metadata.Annotations["owner"]);
        Assert.Equal(["kubernetes"], ns.Spec.Finalizers);
    }

    [Fact]
    public void Service_with_int_and_string_target_ports()
    {
        var body = ProtoBuilder.Envelope("v1", "Service", new ProtoBuilder()
            .Message(1, Meta("svc"))
            .Message(2, s => s
                .Message(1, p => p.String(1, "http").String(2, "TCP").Varint(3, 80)
                    .Message(4, t => t.Varint(1, 0).Varint(2, 8080).String(3, "")).Varint(5, 0))
                .Message(1, p => p.String(2, "TCP").Varint(3, 443)
                    .Message(4, t => t.Varint(1, 1).Varint(2, 0).String(3, "https")))
                .Message(1, p => p.Varint(3, 53).Message(4, t => t.Varint(1, 0).Varint(2, 0).String(3, "")))
                .Entry(2, "app", "web")
                .String(4, "NodePort")));

        var json = ProtobufCodec.Decode(body);
        var svc = KubernetesJson.Deserialize<V1Service>(json.ToJsonString());

        Assert.Equal(8080, json["spec"]!["ports"]![0]!["targetPort"]!.GetValue<int>());
        Assert.Equal("https", json["spec"]!["ports"]![1]!["targetPort"]!.GetValue<string>());
        Assert.False(((JsonObject)json["spec"]!["ports"]![2]!).ContainsKey("targetPort")); // zero: unset, defaulted later
        Assert.Equal("8080", svc.Spec.Ports[0].TargetPort.Value);
        Assert.Equal("https", svc.Spec.Ports[1].TargetPort.Value);
        Assert.Null(svc.Spec.Ports[0].NodePort);
        Assert.Equal("NodePort", svc.Spec.Type);
    }

    [Fact]
    public void Job_with_times()
    {
        var body = ProtoBuilder.Envelope("batch/v1", "Job", new ProtoBuilder()
            .Message(1, Meta("j").Message(8, t => t.Varint(1, Jan2Seconds).Varint(2, 0)))
            .Message(2, s => s.Varint(7, 0).Bool(10, false)
                .Message(6, t => t.Message(2, p => p.Message(2, c => c.String(1, "c")).String(3, "Never"))))
            .Message(3, s => s
                .Message(2, t => t.Varint(1, Jan2Seconds).Varint(2, 999_000_000))
                .Message(3, t => t.Varint(1, WellKnownZeroSeconds))
                .Varint(5, 3)));

        var json = ProtobufCodec.Decode(body);
        var job = KubernetesJson.Deserialize<V1Job>(json.ToJsonString());

        Assert.Equal("2024-01-02T03:04:05Z", json["status"]!["startTime"]!.GetValue<string>());
        Assert.Equal(Jan2, job.Metadata.CreationTimestamp);
        Assert.Equal(Jan2, job.Status.StartTime);
        Assert.Null(job.Status.CompletionTime); // Go's zero time is null in JSON
        Assert.Equal(3, job.Status.Succeeded);
        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.False(job.Spec.Suspend);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
    }

    private const long WellKnownZeroSeconds = -62135596800;

    [Fact]
    public void Lease_with_micro_times()
    {
        var lease = ProtobufCodec.Decode(ProtoBuilder.Envelope("coordination.k8s.io/v1", "Lease", new ProtoBuilder()
            .Message(1, Meta("l"))
            .Message(2, s => s.String(1, "me").Varint(2, 15)
                .Message(4, t => t.Varint(1, Jan2Seconds).Varint(2, 123_456_789)))));

        Assert.Equal("2024-01-02T03:04:05.123456Z", lease["spec"]!["renewTime"]!.GetValue<string>());
        Assert.Equal(15, KubernetesJson.Deserialize<V1Lease>(lease.ToJsonString()).Spec.LeaseDurationSeconds);
    }

    [Fact]
    public void Pod_with_inline_structs_quantities_and_packed_numbers()
    {
        var container = new ProtoBuilder().String(1, "app").String(2, "busybox")
            .Message(7, e => e.String(1, "MODE").Message(3, v => v.Message(3, k => k.Message(1, r => r.String(1, "settings")).String(2, "mode"))))
            .Message(8, r => r.Message(1, q => q.String(1, "cpu").Message(2, v => v.String(1, "500m"))))
            .Message(10, p => p.Message(1, h => h.Message(2, g => g.String(1, "/healthz").Message(2, i => i.Varint(1, 1).String(3, "http")))).Varint(3, 5));
        var body = ProtoBuilder.Envelope("v1", "Pod", new ProtoBuilder()
            .Message(1, Meta("p"))
            .Message(2, s => s
                .Message(1, v => v.String(1, "config").Message(2, src => src.Message(19, c => c.Message(1, r => r.String(1, "settings")).Varint(3, 420))))
                .Message(2, container)
                .Message(14, sc => sc.Bytes(4, [1, 2, 0x80, 0x01]).Varint(2, 0))
                .Message(22, t => t.String(1, "k").String(4, "NoExecute").Varint(5, 0))));

        var json = ProtobufCodec.Decode(body);
        var pod = KubernetesJson.Deserialize<V1Pod>(json.ToJsonString());

        var volume = Assert.Single(pod.Spec.Volumes);
        Assert.Equal("config", volume.Name);
        Assert.Equal("settings", volume.ConfigMap.Name);
        Assert.Equal(420, volume.ConfigMap.DefaultMode);
        var c = pod.Spec.Containers[0];
        Assert.Equal("settings", c.Env[0].ValueFrom.ConfigMapKeyRef.Name);
        Assert.Equal("mode", c.Env[0].ValueFrom.ConfigMapKeyRef.Key);
        Assert.Equal(new ResourceQuantity("500m"), c.Resources.Limits["cpu"]);
        Assert.Equal("http", c.LivenessProbe.HttpGet.Port.Value);
        Assert.Equal("/healthz", c.LivenessProbe.HttpGet.Path);
        Assert.Equal(5, c.LivenessProbe.TimeoutSeconds);
        Assert.Equal([1L, 2L, 128L], pod.Spec.SecurityContext.SupplementalGroups);
        Assert.Equal(0, pod.Spec.SecurityContext.RunAsUser);
        Assert.Equal(0, pod.Spec.Tolerations[0].TolerationSeconds);
    }

    [Fact]
    public void SubjectAccessReview_extra_values_are_arrays()
    {
        var json = ProtobufCodec.Decode(ProtoBuilder.Envelope("authorization.k8s.io/v1", "SubjectAccessReview", new ProtoBuilder()
            .Message(1, new ProtoBuilder())
            .Message(2, s => s.String(3, "alice").String(4, "devs")
                .Entry(5, "scopes", new ProtoBuilder().String(1, "a").String(1, "b"))
                .Message(2, n => n.String(1, "/healthz").String(2, "get")))));

        var review = KubernetesJson.Deserialize<V1SubjectAccessReview>(json.ToJsonString());

        Assert.Equal(["a", "b"], review.Spec.Extra["scopes"]);
        Assert.Equal(["devs"], review.Spec.Groups);
        Assert.Equal("/healthz", review.Spec.NonResourceAttributes.Path);
    }

    [Fact]
    public void Unknown_field_numbers_are_skipped()
    {
        var body = ProtoBuilder.Envelope("v1", "ConfigMap", new ProtoBuilder()
            .Message(1, Meta("cm").Varint(99, 7).String(98, "future"))
            .Fixed64(77, 12345)
            .Entry(2, "k", "v")
            .Message(88, new ProtoBuilder().String(1, "x")));

        var json = ProtobufCodec.Decode(body);

        Assert.Equal("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"k":"v"}}""", json.ToJsonString());
    }

    [Fact]
    public void A_json_object_wrapped_in_the_envelope_is_taken_as_it_is()
    {
        var unknown = new ProtoBuilder()
            .Message(1, t => t.String(1, "v1").String(2, "ConfigMap"))
            .Bytes(2, """{"metadata":{"name":"cm"}}"""u8.ToArray())
            .String(4, "application/json");

        var json = ProtobufCodec.Decode([.. "k8s\0"u8.ToArray(), .. unknown.ToArray()]);

        Assert.Equal("cm", json["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("ConfigMap", json["kind"]!.GetValue<string>());
    }

    public static TheoryData<string, byte[]> BadBodies()
    {
        var good = ProtoBuilder.Envelope("v1", "ConfigMap", new ProtoBuilder().Message(1, Meta("cm")).Entry(2, "k", "v"));
        return new()
        {
            { "empty", [] },
            { "json", """{"kind":"ConfigMap"}"""u8.ToArray() },
            { "magic only", "k8s\0"u8.ToArray() },
            { "truncated", good[..^3] },
            { "bad varint", [.. "k8s\0"u8.ToArray(), 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01] },
            { "unknown kind", ProtoBuilder.Envelope("example.com/v1", "Widget", new ProtoBuilder()) },
            { "wrong wire type", ProtoBuilder.Envelope("v1", "ConfigMap", new ProtoBuilder().Varint(1, 3)) },
            { "gzip", [.. "k8s\0"u8.ToArray(), .. new ProtoBuilder().Message(1, t => t.String(1, "v1").String(2, "ConfigMap")).String(3, "gzip").ToArray()] },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public void Malformed_bodies_are_bad_requests(string why, byte[] body)
    {
        var e = Assert.Throws<ApiException>(() => ProtobufCodec.Decode(body));

        Assert.True(e.Code == 400, why);
        Assert.Equal("BadRequest", e.Reason);
    }
}
