using System.Net;
using System.Text;
using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using Coxswain.Controllers.ReplicaSet;
using Coxswain.Controllers.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coxswain.Controllers.Tests.ReplicaSet;

/// <summary>One sync of the controller against seeded caches and a fake API, as upstream's replica_set_test.go.</summary>
public sealed class ReplicaSetControllerTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly FakeApi _api = new();
    private readonly Kubernetes _client;
    private readonly ControllerManager _manager;
    private readonly ReplicaSetController _controller;
    private V1ReplicaSet? _served;

    public ReplicaSetControllerTests()
    {
        // The controller re-reads its ReplicaSet before adopting; this handler answers that GET, FakeApi the rest.
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://fake.invalid" }, new ServeReplicaSet(() => _served), _api);
        _manager = new ControllerManager(_client, new InformerFactory(_client), NullLoggerFactory.Instance);
        _controller = new ReplicaSetController(_manager, new FakeTimeProvider(new DateTimeOffset(Now)));
    }

    public void Dispose() => _client.Dispose();

    private static V1ReplicaSet ReplicaSet(int replicas, int minReadySeconds = 0) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "ReplicaSet",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "ns", Uid = "rs-uid", Generation = 2 },
        Spec = new V1ReplicaSetSpec
        {
            Replicas = replicas,
            MinReadySeconds = minReadySeconds,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx" }] },
            },
        },
    };

    private static V1Pod Pod(string name, string? node = "n1", string phase = "Running", bool ready = true, DateTime? readySince = null,
        DateTime? created = null, int restarts = 0, bool owned = true, string app = "web", string tier = "front") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "ns",
            Uid = "uid-" + name,
            ResourceVersion = "1",
            CreationTimestamp = created ?? Now.AddHours(-1),
            Labels = new Dictionary<string, string> { ["app"] = app, ["tier"] = tier },
            OwnerReferences = owned ? [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web", Uid = "rs-uid", Controller = true }] : null,
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "app", Image = "nginx" }] },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = readySince ?? Now.AddMinutes(-30) }],
            ContainerStatuses = [new V1ContainerStatus { Name = "app", RestartCount = restarts }],
        },
    };

    private void Seed(V1ReplicaSet rs, params V1Pod[] pods)
    {
        _served = rs;
        _manager.Informers.For(ResourceTypes.ReplicaSets).Indexer.Upsert(rs);
        foreach (var pod in pods)
        {
            _manager.Informers.For(ResourceTypes.Pods).Indexer.Upsert(pod);
        }
    }

    private Task SyncAsync() => _controller.SyncAsync("ns/web", CancellationToken.None);

    private V1ReplicaSetStatus LastStatus() =>
        KubernetesJson.Deserialize<V1ReplicaSet>(_api.Where("PUT", "/replicasets/web/status").Last().Body).Status;

    [Fact]
    public async Task CreatesTheMissingNumberOwnedByTheReplicaSet()
    {
        Seed(ReplicaSet(5), Pod("a"), Pod("b"));
        await SyncAsync();

        var creates = _api.Where("POST", "/api/v1/namespaces/ns/pods");
        Assert.Equal(3, creates.Count);
        foreach (var create in creates)
        {
            var pod = KubernetesJson.Deserialize<V1Pod>(create.Body);
            Assert.Equal("web-", pod.Metadata.GenerateName);
            Assert.Equal("front", pod.Metadata.Labels["tier"]);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("apps/v1", "ReplicaSet", "web", "rs-uid"), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid));
            Assert.True(owner.Controller == true && owner.BlockOwnerDeletion == true);
        }
        Assert.Empty(_api.Where("DELETE", "/pods"));
        // Status counts the pods the sync started with; the creations show up with the next sync.
        Assert.Equal(2, LastStatus().Replicas);
    }

    [Fact]
    public async Task CreatesAtMostBurstReplicasPerSync()
    {
        Seed(ReplicaSet(ReplicaSetController.BurstReplicas + 20));
        await SyncAsync();
        Assert.Equal(ReplicaSetController.BurstReplicas, _api.Where("POST", "/pods").Count);
    }

    [Fact]
    public async Task ExpectationsBlockASecondCreateUntilTheCreationsAreObserved()
    {
        Seed(ReplicaSet(3));
        await SyncAsync();
        Assert.Equal(3, _api.Where("POST", "/pods").Count);
        Assert.False(_controller.Expectations.Satisfied("ns/web"));

        // The cache has not caught up: a second sync must not create again.
        await SyncAsync();
        Assert.Equal(3, _api.Where("POST", "/pods").Count);

        // Once the informer saw all three (here: they vanished again), the controller acts on what it sees.
        for (var i = 0; i < 3; i++)
        {
            _controller.Expectations.CreationObserved("ns/web");
        }
        await SyncAsync();
        Assert.Equal(6, _api.Where("POST", "/pods").Count);
    }

    [Fact]
    public async Task DeletesSurplusPodsInRankOrder()
    {
        var readySince = Now.AddMinutes(-30);
        Seed(ReplicaSet(2),
            Pod("running-old", created: Now.AddDays(-10), readySince: readySince),
            Pod("running-new", created: Now.AddMinutes(-40), readySince: readySince),
            Pod("restarted", created: Now.AddDays(-10), readySince: readySince, restarts: 4),
            Pod("not-ready", ready: false),
            Pod("pending", phase: "Pending", ready: false),
            Pod("unassigned", node: null, phase: "Pending", ready: false));
        await SyncAsync();

        var deleted = _api.Where("DELETE", "/pods/").Select(r => r.Path.Split('/').Last().Split('?')[0]).Order().ToList();
        Assert.Equal(["not-ready", "pending", "restarted", "unassigned"], deleted);
        Assert.False(_controller.Expectations.Satisfied("ns/web"));
        Assert.Empty(_api.Where("POST", "/pods"));
    }

    [Fact]
    public void RankingOrdersByAssignmentPhaseReadinessCostColocationReadyTimeRestartsAge()
    {
        var readySince = Now.AddMinutes(-30);
        var cheap = Pod("cheap", created: Now.AddDays(-10), readySince: readySince);
        cheap.Metadata.Annotations = new Dictionary<string, string> { [PodRanking.DeletionCostAnnotation] = "-5" };
        var pods = new List<V1Pod>
        {
            Pod("old", node: "n2", created: Now.AddDays(-10), readySince: readySince),
            Pod("young", node: "n2", created: Now.AddMinutes(-40), readySince: readySince),
            Pod("recently-ready", node: "n2", created: Now.AddDays(-10), readySince: Now.AddSeconds(-10)),
            Pod("restarted", node: "n2", created: Now.AddDays(-10), readySince: readySince, restarts: 4),
            Pod("doubled-up", node: "n1", created: Now.AddDays(-10), readySince: readySince),
            cheap,
            Pod("unknown", node: "n3", phase: "Unknown", ready: false),
            Pod("not-ready", node: "n3", ready: false),
            Pod("pending", node: "n3", phase: "Pending", ready: false),
            Pod("unassigned", node: null, phase: "Pending", ready: false),
        };
        // n1 holds five pods of the family (cheap, doubled-up and three siblings), n2 four.
        var related = pods.Concat([Pod("sibling1", node: "n1"), Pod("sibling2", node: "n1"), Pod("sibling3", node: "n1")]).ToList();
        var order = PodRanking.PodsToDelete(pods, related, pods.Count - 1, Now).Select(p => p.Metadata.Name).ToList();
        Assert.Equal(["unassigned", "pending", "unknown", "not-ready", "cheap", "doubled-up", "recently-ready", "restarted", "young"], order);
    }

    [Fact]
    public async Task AdoptsAMatchingOrphanAndReleasesAPodThatStoppedMatching()
    {
        Seed(ReplicaSet(2), Pod("orphan", owned: false), Pod("relabelled", app: "other"), Pod("kept"));
        await SyncAsync();

        var patches = _api.Where("PATCH", "/pods/");
        var adopt = Assert.Single(patches, p => p.Path.Contains("/pods/orphan", StringComparison.Ordinal));
        Assert.Equal("rs-uid", adopt.Json!["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());
        var release = Assert.Single(patches, p => p.Path.Contains("/pods/relabelled", StringComparison.Ordinal));
        Assert.Equal("delete", release.Json!["metadata"]!["ownerReferences"]![0]!["$patch"]!.GetValue<string>());
        // orphan + kept are the two replicas: nothing to create or delete.
        Assert.Empty(_api.Where("POST", "/pods"));
        Assert.Empty(_api.Where("DELETE", "/pods"));
        Assert.Equal(2, LastStatus().Replicas);
    }

    [Fact]
    public async Task DoesNotAdoptWhenTheReplicaSetIsBeingDeleted()
    {
        var rs = ReplicaSet(1);
        Seed(rs, Pod("orphan", owned: false));
        _served = ReplicaSet(1);
        _served.Metadata.DeletionTimestamp = Now;
        await SyncAsync();
        Assert.Empty(_api.Where("PATCH", "/pods/"));
    }

    [Fact]
    public async Task StatusCountsReplicasFullyLabeledReadyAndAvailable()
    {
        var rs = ReplicaSet(4, minReadySeconds: 60);
        Seed(rs,
            Pod("available", readySince: Now.AddMinutes(-5)),
            Pod("ready-not-yet-available", readySince: Now.AddSeconds(-10)),
            Pod("not-ready", ready: false, tier: "back"), // matches the selector, not every template label
            Pod("finished", phase: "Succeeded", ready: false)); // inactive: not counted, replaced
        await SyncAsync();

        var status = LastStatus();
        Assert.Equal((3, 2, 2, 1, 2L), (status.Replicas, status.FullyLabeledReplicas ?? 0, status.ReadyReplicas ?? 0, status.AvailableReplicas ?? 0, status.ObservedGeneration ?? 0));
        Assert.Null(status.Conditions);
        Assert.Single(_api.Where("POST", "/pods"));
    }

    [Fact]
    public async Task UnchangedStatusIsNotWritten()
    {
        var rs = ReplicaSet(1);
        rs.Status = new V1ReplicaSetStatus { Replicas = 1, FullyLabeledReplicas = 1, ReadyReplicas = 1, AvailableReplicas = 1, ObservedGeneration = 2 };
        Seed(rs, Pod("a"));
        await SyncAsync();
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task RejectedCreateSetsReplicaFailureAndASucceedingSyncRemovesIt()
    {
        _api.Fail("POST", "/pods", HttpStatusCode.Forbidden, "Forbidden");
        Seed(ReplicaSet(3));
        await Assert.ThrowsAnyAsync<Exception>(SyncAsync);

        // Slow start: one failed create, not three.
        Assert.Single(_api.Where("POST", "/pods"));
        Assert.True(_controller.Expectations.Satisfied("ns/web"));
        var condition = Assert.Single(LastStatus().Conditions);
        Assert.Equal(("ReplicaFailure", "True", "FailedCreate", "injected Forbidden"), (condition.Type, condition.Status, condition.Reason, condition.Message));

        // The create works again (here: the pods exist); the condition is removed.
        var rs = ReplicaSet(1);
        rs.Status = new V1ReplicaSetStatus { Replicas = 0, ObservedGeneration = 2, Conditions = [condition] };
        Seed(rs, Pod("a"));
        await SyncAsync();
        Assert.Null(LastStatus().Conditions);
    }

    [Fact]
    public async Task ACreateThatTimedOutIsExpectedToShowUp()
    {
        // 504: the pod was created but its initialization timed out; the informer will see it.
        _api.Fail("POST", "/pods", HttpStatusCode.GatewayTimeout, "Timeout");
        Seed(ReplicaSet(2));
        await SyncAsync();
        Assert.Equal(2, _api.Where("POST", "/pods").Count);
        Assert.False(_controller.Expectations.Satisfied("ns/web"));
        Assert.Null(LastStatus().Conditions);
    }

    [Fact]
    public async Task FailedDeleteIsReported()
    {
        _api.Fail("DELETE", "/pods/", HttpStatusCode.InternalServerError);
        Seed(ReplicaSet(1), Pod("a"), Pod("b", ready: false));
        await Assert.ThrowsAnyAsync<Exception>(SyncAsync);
        Assert.Equal("FailedDelete", Assert.Single(LastStatus().Conditions).Reason);
        Assert.True(_controller.Expectations.Satisfied("ns/web"));
    }

    [Fact]
    public async Task ADeletedReplicaSetForgetsItsExpectations()
    {
        Seed(ReplicaSet(2));
        await SyncAsync();
        Assert.False(_controller.Expectations.Satisfied("ns/web"));
        _manager.Informers.For(ResourceTypes.ReplicaSets).Indexer.Delete("ns/web");
        _api.Clear();
        await SyncAsync();
        Assert.True(_controller.Expectations.Satisfied("ns/web"));
        Assert.Empty(_api.Where("POST", "/pods"));
        Assert.Empty(_api.Where("PUT", "/replicasets"));
    }

    /// <summary>
    /// Answers GETs of the ReplicaSet with <c>served</c>; everything else goes on to the fake API. A successful pod
    /// DELETE comes back as an empty object: FakeApi answers with a Status, which the client cannot read as the V1Pod
    /// DeleteNamespacedPodAsync returns.
    /// </summary>
    private sealed class ServeReplicaSet(Func<V1ReplicaSet?> served) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (request.Method == HttpMethod.Delete)
            {
                var answer = await base.SendAsync(request, ct);
                if (answer.IsSuccessStatusCode)
                {
                    answer.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }
                return answer;
            }
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.EndsWith("/replicasets/web", StringComparison.Ordinal) && served() is { } rs)
            {
                return new HttpResponseMessage(HttpStatusCode.OK)
                {
                    RequestMessage = request,
                    Content = new StringContent(KubernetesJson.Serialize(rs), Encoding.UTF8, "application/json"),
                };
            }
            return await base.SendAsync(request, ct);
        }
    }
}
