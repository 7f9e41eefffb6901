using System.Reflection;
using System.Text.Json.Serialization;
using Coxswain.Api.Protobuf;
using k8s.Models;

namespace Coxswain.Api.Tests.Protobuf;

/// <summary>The field table against the official C# models and the kinds kubectl sends.</summary>
public sealed class ProtobufTableTests
{
    [Theory]
    [InlineData("apps/v1", "Deployment")]
    [InlineData("v1", "ConfigMap")]
    [InlineData("v1", "Secret")]
    [InlineData("v1", "Namespace")]
    [InlineData("v1", "Service")]
    [InlineData("v1", "ServiceAccount")]
    [InlineData("batch/v1", "Job")]
    [InlineData("batch/v1", "CronJob")]
    [InlineData("rbac.authorization.k8s.io/v1", "Role")]
    [InlineData("rbac.authorization.k8s.io/v1", "RoleBinding")]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRole")]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")]
    [InlineData("v1", "ResourceQuota")]
    [InlineData("scheduling.k8s.io/v1", "PriorityClass")]
    [InlineData("policy/v1", "PodDisruptionBudget")]
    [InlineData("policy/v1", "Eviction")]
    [InlineData("authentication.k8s.io/v1", "TokenRequest")]
    [InlineData("autoscaling/v1", "HorizontalPodAutoscaler")]
    [InlineData("autoscaling/v2", "HorizontalPodAutoscaler")]
    [InlineData("authorization.k8s.io/v1", "SelfSubjectAccessReview")]
    [InlineData("networking.k8s.io/v1", "Ingress")]
    [InlineData("v1", "Pod")]
    [InlineData("v1", "Status")]
    public void Kinds_kubectl_sends_as_protobuf_are_supported(string apiVersion, string kind) =>
        Assert.True(ProtobufCodec.Supports(apiVersion, kind));

    [Fact]
    public void Every_table_field_of_every_official_model_has_the_same_json_name_and_shape()
    {
        var problems = new List<string>();
        var seen = new HashSet<(ProtoMessage, Type)>();
        var checkedKinds = 0;
        foreach (var type in typeof(V1Pod).Assembly.GetTypes())
        {
            var entity = type.GetCustomAttribute<KubernetesEntityAttribute>();
            if (entity == null || type.Namespace != "k8s.Models")
            {
                continue;
            }
            var apiVersion = string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
            var message = ProtoSchema.Default.ForKind(apiVersion, entity.Kind);
            if (message == null)
            {
                continue;
            }
            checkedKinds++;
            Check(message, type, message.Name, seen, problems);
        }

        Assert.True(checkedKinds > 80, $"only {checkedKinds} kinds checked");
        Assert.True(seen.Count > 400, $"only {seen.Count} messages checked");
        Assert.Empty(problems);
    }

    private static void Check(ProtoMessage message, Type clr, string path, HashSet<(ProtoMessage, Type)> seen, List<string> problems)
    {
        if (!seen.Add((message, clr)))
        {
            return;
        }
        var properties = new Dictionary<string, Type>();
        foreach (var p in clr.GetProperties())
        {
            if (p.GetCustomAttribute<JsonPropertyNameAttribute>() is { } name)
            {
                properties[name.Name] = p.PropertyType;
            }
        }
        foreach (var field in message.Fields)
        {
            if (field.Inline)
            {
                Check(field.Message!, clr, path, seen, problems);
                continue;
            }
            var where = $"{path}.{field.JsonName}";
            if (!properties.TryGetValue(field.JsonName, out var type))
            {
                problems.Add($"{where}: no such property on {clr.Name}");
                continue;
            }
            if (field.IsMap)
            {
                type = Generic(type, typeof(IDictionary<,>), 1);
            }
            else if (field.Repeated)
            {
                type = Generic(type, typeof(IList<>), 0);
            }
            if (type == null)
            {
                problems.Add($"{where}: {(field.IsMap ? "map" : "list")} expected on {clr.Name}");
                continue;
            }
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (field.Type == ProtoType.Message)
            {
                if (field.Message!.IsList)
                {
                    if (Generic(type, typeof(IList<>), 0) != typeof(string))
                    {
                        problems.Add($"{where}: list of strings expected, {clr.Name} has {type.Name}");
                    }
                }
                else if (type.Namespace != "k8s.Models")
                {
                    problems.Add($"{where}: object expected, {clr.Name} has {type.Name}");
                }
                else
                {
                    Check(field.Message, type, where, seen, problems);
                }
                continue;
            }
            var expected = field.Type switch
            {
                ProtoType.String or ProtoType.Duration => typeof(string),
                ProtoType.Int32 => typeof(int),
                ProtoType.Int64 => typeof(long),
                ProtoType.Bool => typeof(bool),
                ProtoType.Double => typeof(double),
                ProtoType.Bytes => typeof(byte[]),
                ProtoType.Time or ProtoType.MicroTime => typeof(DateTime),
                ProtoType.Quantity => typeof(ResourceQuantity),
                ProtoType.IntOrString => typeof(IntOrString),
                _ => typeof(object),
            };
            if (type != expected)
            {
                problems.Add($"{where}: {field.Type} but {clr.Name} has {type.Name}");
            }
        }
    }

    private static Type? Generic(Type type, Type definition, int argument)
    {
        foreach (var candidate in (Type[])[type, .. type.GetInterfaces()])
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == definition)
            {
                return candidate.GetGenericArguments()[argument];
            }
        }
        return null;
    }

    [Fact]
    public void Message_names_follow_the_api_group()
    {
        Assert.Equal("core/v1.Pod", ProtoSchema.MessageName("v1", "Pod"));
        Assert.Equal("apps/v1.Deployment", ProtoSchema.MessageName("apps/v1", "Deployment"));
        Assert.Equal("rbac/v1.Role", ProtoSchema.MessageName("rbac.authorization.k8s.io/v1", "Role"));
        Assert.Null(ProtoSchema.MessageName("", "Pod"));
        Assert.False(ProtobufCodec.Supports("example.com/v1", "Widget"));
    }

    [Fact]
    public void Every_message_reference_resolves() =>
        Assert.All(ProtoSchema.Default.Messages, m => Assert.All(m.Fields, f => Assert.True(f.Type != ProtoType.Message || f.Message != null, $"{m.Name}.{f.JsonName}")));
}
