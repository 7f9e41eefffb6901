using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using Coxswain.Api.Protobuf;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Tests.Protobuf;

/// <summary>Responses: JSON objects written as protobuf and read back.</summary>
public sealed class ProtobufEncodeTests
{
    private static T RoundTrip<T>(T model)
    {
        var json = (JsonObject)JsonNode.Parse(KubernetesJson.Serialize(model))!;
        var body = ProtobufCodec.Encode(json);
        Assert.True(body.AsSpan().StartsWith("k8s\0"u8));
        return KubernetesJson.Deserialize<T>(ProtobufCodec.Decode(body).ToJsonString());
    }

    [Fact]
    public void A_pod_survives_encode_and_decode()
    {
        var created = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = "web-1",
                NamespaceProperty = "default",
                Uid = "2d0c0d5e-1",
                ResourceVersion = "42",
                Generation = 3,
                CreationTimestamp = created,
                Labels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" },
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web", Uid = "rs-uid", BlockOwnerDeletion = true, Controller = true }],
                ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Update", Time = created, FieldsType = "FieldsV1", FieldsV1 = new Dictionary<string, object> { ["f:metadata"] = new Dictionary<string, object>() } }],
            },
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = "app",
                        Image = "nginx",
                        Ports = [new V1ContainerPort { ContainerPort = 80, Name = "http", Protocol = "TCP" }],
                        Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("64Mi") } },
                        ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/", Port = "http" }, PeriodSeconds = 5 },
                        LivenessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = 80 } },
                        SecurityContext = new V1SecurityContext { Privileged = false, RunAsUser = 0 },
                    },
                ],
                Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("1Gi") } }],
                Tolerations = [new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 }],
                TerminationGracePeriodSeconds = 30,
                NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
            },
            Status = new V1PodStatus
            {
                Phase = "Running",
                PodIP = "10.0.0.5",
                StartTime = created,
                Conditions = [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = created }],
            },
        };

        var back = RoundTrip(pod);

        Assert.Equal("web-1", back.Metadata.Name);
        Assert.Equal("default", back.Metadata.NamespaceProperty);
        Assert.Equal(3, back.Metadata.Generation);
        Assert.Equal(created, back.Metadata.CreationTimestamp);
        Assert.Equal(pod.Metadata.Labels, back.Metadata.Labels);
        Assert.True(back.Metadata.OwnerReferences[0].Controller);
        Assert.Equal("kubectl", back.Metadata.ManagedFields[0].Manager);
        Assert.NotNull(back.Metadata.ManagedFields[0].FieldsV1);
        var c = back.Spec.Containers[0];
        Assert.Equal(80, c.Ports[0].ContainerPort);
        Assert.Equal(new ResourceQuantity("250m"), c.Resources.Requests["cpu"]);
        Assert.Equal("http", c.ReadinessProbe.HttpGet.Port.Value);
        Assert.Equal("80", c.LivenessProbe.TcpSocket.Port.Value);
        Assert.Equal(5, c.ReadinessProbe.PeriodSeconds);
        Assert.False(c.SecurityContext.Privileged);
        Assert.Equal(0, c.SecurityContext.RunAsUser);
        Assert.Equal(new ResourceQuantity("1Gi"), back.Spec.Volumes[0].EmptyDir.SizeLimit);
        Assert.Equal(300, back.Spec.Tolerations[0].TolerationSeconds);
        Assert.Equal(30, back.Spec.TerminationGracePeriodSeconds);
        Assert.Equal("linux", back.Spec.NodeSelector["kubernetes.io/os"]);
        Assert.Equal("Running", back.Status.Phase);
        Assert.Equal(created, back.Status.StartTime);
        Assert.Equal(created, back.Status.Conditions[0].LastTransitionTime);
    }

    [Fact]
    public void Lists_and_statuses_encode_too()
    {
        var list = RoundTrip(new V1ConfigMapList
        {
            ApiVersion = "v1",
            Kind = "ConfigMapList",
            Metadata = new V1ListMeta { ResourceVersion = "7", ContinueProperty = "next" },
            Items = [new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" }, Data = new Dictionary<string, string> { ["k"] = "v" } }],
        });
        var status = (JsonObject)JsonNode.Parse(
            """{"apiVersion":"v1","kind":"Status","metadata":{},"status":"Failure","message":"pods \"p\" not found","reason":"NotFound","details":{"name":"p","kind":"pods"},"code":404}""")!;

        Assert.Equal("next", list.Metadata.ContinueProperty);
        Assert.Equal("v", list.Items[0].Data["k"]);
        var decoded = ProtobufCodec.Decode(ProtobufCodec.Encode(status));
        Assert.Equal(404, decoded["code"]!.GetValue<int>());
        Assert.Equal("NotFound", decoded["reason"]!.GetValue<string>());
        Assert.Equal("p", decoded["details"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Decoded_json_encodes_back_to_the_same_json()
    {
        var json = ProtobufCodec.Decode(TestData.Read("create-service-clusterip.pb"));

        var again = ProtobufCodec.Decode(ProtobufCodec.Encode(json));

        Assert.True(JsonNode.DeepEquals(json, again), again.ToJsonString());
    }

    [Fact]
    public void Kinds_outside_the_table_cannot_be_encoded()
    {
        var e = Assert.Throws<ApiException>(() => ProtobufCodec.Encode(new JsonObject { ["apiVersion"] = "example.com/v1", ["kind"] = "Widget" }));

        Assert.Equal(500, e.Code);
    }
}
