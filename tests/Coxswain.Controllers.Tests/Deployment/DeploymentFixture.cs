using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using Coxswain.Controllers.Deployment;
using Coxswain.Controllers.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coxswain.Controllers.Tests.Deployment;

/// <summary>A deployment controller over a fake API with caches the test seeds (upstream's deployment fixture).</summary>
internal sealed class DeploymentFixture : IDisposable
{
    public readonly FakeApi Api = new();
    public readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Kubernetes _client;
    private readonly ControllerManager _manager;
    public readonly DeploymentController Controller;
    private int _created;

    public DeploymentFixture()
    {
        _client = Api.Client();
        _manager = new ControllerManager(_client, new InformerFactory(_client), NullLoggerFactory.Instance);
        Controller = new DeploymentController(_manager, Time);
    }

    public void Dispose() => _client.Dispose();

    public static V1Deployment Deployment(string name, int replicas, string image = "nginx:1", string? maxSurge = "25%", string? maxUnavailable = "25%") => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", Uid = "uid-" + name, Generation = 1, ResourceVersion = "1" },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = maxSurge, MaxUnavailable = maxUnavailable },
            },
            RevisionHistoryLimit = 10,
            ProgressDeadlineSeconds = 600,
            Template = Template(name, image),
        },
        Status = new V1DeploymentStatus(),
    };

    public static V1PodTemplateSpec Template(string app, string image) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = image }] },
    };

    /// <summary>A ReplicaSet of <paramref name="d"/> for <paramref name="image"/>, as the controller would have made it.</summary>
    public V1ReplicaSet ReplicaSet(V1Deployment d, string image, int replicas, int available, long revision, int? desired = null, int? max = null)
    {
        var template = Template(d.Metadata.Name, image);
        var hash = TemplateHash.Compute(template);
        template.Metadata.Labels["pod-template-hash"] = hash;
        var annotations = new Dictionary<string, string> { ["deployment.kubernetes.io/revision"] = revision.ToString() };
        if (desired is int n)
        {
            annotations["deployment.kubernetes.io/desired-replicas"] = n.ToString();
            annotations["deployment.kubernetes.io/max-replicas"] = (max ?? n).ToString();
        }
        _created++;
        var rs = new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = $"{d.Metadata.Name}-{hash}", NamespaceProperty = "ns", Uid = $"rs-uid-{hash}", ResourceVersion = "5",
                Generation = 1,
                CreationTimestamp = Time.GetUtcNow().UtcDateTime.AddMinutes(_created),
                Labels = new Dictionary<string, string>(template.Metadata.Labels),
                Annotations = annotations,
                OwnerReferences = [OwnerRefs.NewControllerRef(d, "apps/v1", "Deployment")],
            },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(template.Metadata.Labels) },
                Template = template,
            },
            Status = new V1ReplicaSetStatus { Replicas = replicas, ReadyReplicas = available, AvailableReplicas = available, ObservedGeneration = 1 },
        };
        Seed(rs);
        return rs;
    }

    public void Seed(V1Deployment d) => _manager.Informers.For(ResourceTypes.Deployments).Indexer.Upsert(d);

    public void Seed(V1ReplicaSet rs) => _manager.Informers.For(ResourceTypes.ReplicaSets).Indexer.Upsert(rs);

    public void Seed(V1Pod pod) => _manager.Informers.For(ResourceTypes.Pods).Indexer.Upsert(pod);

    public Task SyncAsync(V1Deployment d) => Controller.SyncAsync($"ns/{d.Metadata.Name}", CancellationToken.None);

    public List<V1ReplicaSet> Created() => [.. Api.Where("POST", "/replicasets").Select(r => KubernetesJson.Deserialize<V1ReplicaSet>(r.Body))];

    /// <summary>The replicas of every ReplicaSet update, by name, in order.</summary>
    public List<(string Name, int Replicas)> Scaled() =>
    [
        .. Api.Where("PUT", "/replicasets/").Select(r => KubernetesJson.Deserialize<V1ReplicaSet>(r.Body))
            .Select(rs => (rs.Metadata.Name, rs.Spec.Replicas ?? 0)),
    ];

    /// <summary>The last status written for the deployment.</summary>
    public V1Deployment? LastStatus() =>
        Api.Where("PUT", "/status").Select(r => KubernetesJson.Deserialize<V1Deployment>(r.Body)).LastOrDefault();

    public async Task<List<string>> EventsAsync()
    {
        await Controller.FlushEventsAsync();
        return [.. Api.Where("POST", "/events").Select(r => r.Json!["message"]!.GetValue<string>())];
    }
}
