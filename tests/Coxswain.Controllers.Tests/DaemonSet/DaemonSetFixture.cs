using System.Text.Json;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using Coxswain.Controllers.DaemonSet;
using Coxswain.Controllers.Tests.Support;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coxswain.Controllers.Tests.DaemonSet;

/// <summary>A DaemonSet controller over a <see cref="FakeApi"/> with hand-seeded caches (the factory is never started).</summary>
internal sealed class DaemonSetFixture : IDisposable
{
    public const string Ns = "ns";
    public readonly FakeApi Api = new();
    public readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly k8s.Kubernetes _client;
    public readonly ControllerManager Manager;
    public readonly DaemonSetController Controller;

    public DaemonSetFixture()
    {
        _client = Api.Client();
        Manager = new ControllerManager(_client, new InformerFactory(_client), NullLoggerFactory.Instance);
        Controller = new DaemonSetController(Manager, Time);
    }

    public void Dispose() => _client.Dispose();

    public static V1DaemonSet NewDaemonSet(string name = "ds", string strategy = "RollingUpdate", string maxUnavailable = "1", string maxSurge = "0")
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        return new V1DaemonSet
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Uid = "uid-" + name, Generation = 1, ResourceVersion = "1" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox:1" }] },
                },
                UpdateStrategy = new V1DaemonSetUpdateStrategy
                {
                    Type = strategy,
                    RollingUpdate = strategy == "RollingUpdate" ? new V1RollingUpdateDaemonSet { MaxUnavailable = Ios(maxUnavailable), MaxSurge = Ios(maxSurge) } : null,
                },
                RevisionHistoryLimit = 10,
            },
            Status = new V1DaemonSetStatus(),
        };
    }

    private static IntOrString Ios(string s) => int.TryParse(s, out var i) ? (IntOrString)i : (IntOrString)s;

    public static V1Node Node(string name, IDictionary<string, string>? labels = null, params V1Taint[] taints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Uid = "node-" + name, Labels = labels ?? new Dictionary<string, string>() },
        Spec = new V1NodeSpec { Taints = taints.Length == 0 ? null : taints },
    };

    /// <summary>The hash the controller gives the DaemonSet's current template (its revision's label).</summary>
    public static string Hash(V1DaemonSet ds) => TemplateHash.Compute(ds.Spec.Template, ds.Status?.CollisionCount);

    public static V1ControllerRevision Revision(V1DaemonSet ds, long revision, string? hash = null, string? patch = null)
    {
        hash ??= Hash(ds);
        return new V1ControllerRevision
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{ds.Metadata.Name}-{hash}", NamespaceProperty = Ns, Uid = "rev-" + hash, ResourceVersion = "1",
                Labels = new Dictionary<string, string>(ds.Spec.Template.Metadata.Labels) { [DaemonPods.RevisionHashLabel] = hash },
                OwnerReferences = [OwnerRefs.NewControllerRef(ds, "apps/v1", "DaemonSet")],
            },
            Data = JsonDocument.Parse(patch ?? DaemonSetController.Patch(ds)).RootElement.Clone(),
            Revision = revision,
        };
    }

    /// <summary>A pod of the DaemonSet bound to <paramref name="node"/>, Running and (if asked) Ready for an hour.</summary>
    public V1Pod Pod(V1DaemonSet ds, string name, string node, string hash, bool ready = true, string phase = "Running", int ageSeconds = 3600) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = Ns, Uid = "uid-" + name, ResourceVersion = "1",
            CreationTimestamp = Time.GetUtcNow().UtcDateTime.AddSeconds(-ageSeconds),
            Labels = new Dictionary<string, string>(ds.Spec.Template.Metadata.Labels) { [DaemonPods.RevisionHashLabel] = hash },
            OwnerReferences = [OwnerRefs.NewControllerRef(ds, "apps/v1", "DaemonSet")],
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "busybox:1" }] },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = Time.GetUtcNow().UtcDateTime.AddSeconds(-ageSeconds) }],
        },
    };

    public void Add(V1DaemonSet ds, bool withRevision = true)
    {
        Manager.Informers.For(ResourceTypes.DaemonSets).Indexer.Upsert(ds);
        if (withRevision)
        {
            Add(Revision(ds, 1));
        }
    }

    public void Add(V1Node node) => Manager.Informers.For(ResourceTypes.Nodes).Indexer.Upsert(node);

    public void Add(V1Pod pod) => Manager.Informers.For(ResourceTypes.Pods).Indexer.Upsert(pod);

    public void Add(V1ControllerRevision r) => Manager.Informers.For(ResourceTypes.ControllerRevisions).Indexer.Upsert(r);

    public Task SyncAsync(string name = "ds") => Controller.SyncAsync($"{Ns}/{name}", CancellationToken.None);

    public List<FakeApi.Request> CreatedPods => Api.Where("POST", "/pods");

    public List<string> DeletedPods => Api.Where("DELETE", "/pods/").Select(r => r.Path.Split('/').Last().Split('?')[0]).Order().ToList();

    /// <summary>The node each created pod is pinned to by its metadata.name node affinity.</summary>
    public List<string> CreatedOn => CreatedPods
        .Select(r => r.Json!["spec"]!["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!["nodeSelectorTerms"]![0]!["matchFields"]![0]!["values"]![0]!.GetValue<string>())
        .Order().ToList();

    public System.Text.Json.Nodes.JsonNode? LastStatus => Api.Where("PUT", "/status").LastOrDefault()?.Json?["status"];
}
