using System.Text.Json.Nodes;
using Coxswain.Api.Protobuf;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Tests.Protobuf;

/// <summary>Request bodies recorded from the real kubectl (see TestData/README.md).</summary>
public sealed class KubectlBodiesTests
{
    public static TheoryData<string> Bodies() => new(TestData.Names("*.pb"));

    private static T Decode<T>(string file, out JsonObject json)
    {
        json = ProtobufCodec.Decode(TestData.Read(file));
        return KubernetesJson.Deserialize<T>(json.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Reencoding_the_decoded_object_gives_kubectl_bytes_back(string file)
    {
        var body = TestData.Read(file);

        var json = ProtobufCodec.Decode(body);

        Assert.Equal(Convert.ToHexString(body), Convert.ToHexString(ProtobufCodec.Encode(json)));
    }

    [Fact]
    public void Create_deployment()
    {
        var d = Decode<V1Deployment>("create-deployment.pb", out var json);

        Assert.Equal("apps/v1", d.ApiVersion);
        Assert.Equal("Deployment", d.Kind);
        Assert.Equal("web", d.Metadata.Name);
        Assert.Null(d.Metadata.NamespaceProperty);
        Assert.Null(d.Metadata.CreationTimestamp);
        Assert.Equal("web", d.Metadata.Labels["app"]);
        Assert.Equal(2, d.Spec.Replicas);
        Assert.Equal("web", d.Spec.Selector.MatchLabels["app"]);
        Assert.Null(d.Spec.MinReadySeconds);
        Assert.Equal("web", d.Spec.Template.Metadata.Labels["app"]);
        var c = Assert.Single(d.Spec.Template.Spec.Containers);
        Assert.Equal("nginx", c.Name);
        Assert.Equal("nginx", c.Image);
        Assert.Null(c.Ports);
        Assert.Null(c.ImagePullPolicy);
        // The keys the caller's Go object has: zero strings, ints and times are left out.
        Assert.Equal(["name", "labels"], ((JsonObject)json["metadata"]!).Select(p => p.Key));
        Assert.Equal(["name", "image", "resources"], ((JsonObject)json["spec"]!["template"]!["spec"]!["containers"]![0]!).Select(p => p.Key));
    }

    [Fact]
    public void Create_deployment_with_zero_replicas_keeps_the_pointer_zero()
    {
        var d = Decode<V1Deployment>("create-deployment-replicas-0-kubectl-1.33.pb", out _);

        Assert.Equal(0, d.Spec.Replicas);
        Assert.Equal(80, Assert.Single(d.Spec.Template.Spec.Containers[0].Ports).ContainerPort);
    }

    [Fact]
    public void Create_configmap_with_binary_data()
    {
        var cm = Decode<V1ConfigMap>("create-configmap.pb", out _);

        Assert.Equal("cm", cm.Metadata.Name);
        Assert.Equal(new Dictionary<string, string> { ["greeting"] = "hello", ["lang"] = "en" }, cm.Data);
        Assert.Equal(TestData.Read("binary-file.dat"), cm.BinaryData["blob"]);
    }

    [Fact]
    public void Create_secret_generic()
    {
        var s = Decode<V1Secret>("create-secret-generic.pb", out _);

        Assert.Equal("s", s.Metadata.Name);
        Assert.Equal("admin"u8.ToArray(), s.Data["user"]);
        Assert.Equal(TestData.Read("binary-file.dat"), s.Data["key"]);
        Assert.Null(s.Type);
        Assert.Null(s.Immutable);
    }

    [Fact]
    public void Create_namespace()
    {
        var ns = Decode<V1Namespace>("create-namespace.pb", out _);

        Assert.Equal("v1", ns.ApiVersion);
        Assert.Equal("Namespace", ns.Kind);
        Assert.Equal("team-a", ns.Metadata.Name);
    }

    [Fact]
    public void Create_service_clusterip_with_int_and_string_target_ports()
    {
        var svc = Decode<V1Service>("create-service-clusterip.pb", out var json);

        Assert.Equal("ClusterIP", svc.Spec.Type);
        Assert.Equal("svc", svc.Spec.Selector["app"]);
        Assert.Equal(2, svc.Spec.Ports.Count);
        Assert.Equal("80-8080", svc.Spec.Ports[0].Name);
        Assert.Equal("TCP", svc.Spec.Ports[0].Protocol);
        Assert.Equal(80, svc.Spec.Ports[0].Port);
        Assert.Equal("8080", svc.Spec.Ports[0].TargetPort.Value);
        Assert.Equal("https", svc.Spec.Ports[1].TargetPort.Value);
        Assert.Null(svc.Spec.Ports[0].NodePort);
        Assert.Equal(8080, json["spec"]!["ports"]![0]!["targetPort"]!.GetValue<int>());
        Assert.Equal("https", json["spec"]!["ports"]![1]!["targetPort"]!.GetValue<string>());
    }

    [Fact]
    public void Create_job_and_cronjob()
    {
        var job = Decode<V1Job>("create-job.pb", out _);
        var cron = Decode<V1CronJob>("create-cronjob.pb", out _);

        Assert.Equal(["echo", "hi"], job.Spec.Template.Spec.Containers[0].Command);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.Equal("*/5 * * * *", cron.Spec.Schedule);
        Assert.Equal("cj", cron.Spec.JobTemplate.Metadata.Name);
        Assert.Equal("OnFailure", cron.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(["date"], cron.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Command);
    }

    [Fact]
    public void Create_rbac_objects()
    {
        var role = Decode<V1Role>("create-role.pb", out _);
        var binding = Decode<V1RoleBinding>("create-rolebinding.pb", out _);
        var clusterRole = Decode<V1ClusterRole>("create-clusterrole.pb", out _);
        var clusterBinding = Decode<V1ClusterRoleBinding>("create-clusterrolebinding.pb", out _);

        Assert.Equal(["get", "list"], role.Rules[1].Verbs);
        Assert.Equal(["apps"], role.Rules[1].ApiGroups);
        Assert.Equal(["deployments"], role.Rules[1].Resources);
        Assert.Equal([""], role.Rules[0].ApiGroups);
        Assert.Equal("Role", binding.RoleRef.Kind);
        Assert.Equal("r", binding.RoleRef.Name);
        Assert.Equal("ServiceAccount", binding.Subjects[1].Kind);
        Assert.Equal("default", binding.Subjects[1].NamespaceProperty);
        Assert.Null(binding.Subjects[1].ApiGroup);
        Assert.Equal(["/healthz"], clusterRole.Rules[1].NonResourceURLs);
        Assert.Equal("devs", clusterBinding.Subjects[1].Name);
        Assert.Equal("view", clusterBinding.RoleRef.Name);
    }

    [Fact]
    public void Create_quota_priorityclass_pdb_serviceaccount_ingress()
    {
        var quota = Decode<V1ResourceQuota>("create-quota.pb", out _);
        var pc = Decode<V1PriorityClass>("create-priorityclass.pb", out _);
        var pdb = Decode<V1PodDisruptionBudget>("create-pdb-min-available.pb", out _);
        var pdb2 = Decode<V1PodDisruptionBudget>("create-pdb-max-unavailable.pb", out _);
        var sa = Decode<V1ServiceAccount>("create-serviceaccount.pb", out _);
        var ing = Decode<V1Ingress>("create-ingress.pb", out _);

        Assert.Equal(new ResourceQuantity("1Gi"), quota.Spec.Hard["memory"]);
        Assert.Equal("1", quota.Spec.Hard["cpu"].ToString());
        Assert.Equal(["BestEffort"], quota.Spec.Scopes);
        Assert.Equal(1000, pc.Value);
        Assert.Equal("important", pc.Description);
        Assert.Equal("Never", pc.PreemptionPolicy);
        Assert.Null(pc.GlobalDefault);
        Assert.Equal("1", pdb.Spec.MinAvailable.Value);
        Assert.Null(pdb.Spec.MaxUnavailable);
        Assert.Equal("50%", pdb2.Spec.MaxUnavailable.Value);
        Assert.Equal("sa", sa.Metadata.Name);
        Assert.Equal("foo.com", ing.Spec.Rules[0].Host);
        Assert.Equal(80, ing.Spec.Rules[0].Http.Paths[0].Backend.Service.Port.Number);
        Assert.Equal("Exact", ing.Spec.Rules[0].Http.Paths[0].PathType);
    }

    [Fact]
    public void Create_token_auth_can_i_and_autoscale()
    {
        var token = Decode<Authenticationv1TokenRequest>("create-token.pb", out _);
        var review = Decode<V1SelfSubjectAccessReview>("auth-can-i.pb", out _);
        var hpa1 = Decode<V1HorizontalPodAutoscaler>("autoscale-v1.pb", out _);
        var hpa2 = Decode<V2HorizontalPodAutoscaler>("autoscale-v2-kubectl-1.33.pb", out _);

        Assert.Equal(3600, token.Spec.ExpirationSeconds);
        Assert.Equal(["api"], token.Spec.Audiences);
        Assert.Equal("create", review.Spec.ResourceAttributes.Verb);
        Assert.Equal("pods", review.Spec.ResourceAttributes.Resource);
        Assert.Equal("log", review.Spec.ResourceAttributes.Subresource);
        Assert.Equal("default", review.Spec.ResourceAttributes.NamespaceProperty);
        Assert.Equal(5, hpa1.Spec.MaxReplicas);
        Assert.Equal(1, hpa1.Spec.MinReplicas);
        Assert.Equal(80, hpa1.Spec.TargetCPUUtilizationPercentage);
        Assert.Equal("apps/v1", hpa1.Spec.ScaleTargetRef.ApiVersion);
        Assert.Equal(6, hpa2.Spec.MaxReplicas);
        Assert.Equal(70, hpa2.Spec.Metrics[0].Resource.Target.AverageUtilization);
        Assert.Equal("Utilization", hpa2.Spec.Metrics[0].Resource.Target.Type);
    }
}
