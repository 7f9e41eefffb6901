using Coxswain.Client;
using Coxswain.Client.Cache;
using Coxswain.Controllers.StatefulSet;
using Coxswain.Controllers.Tests.Support;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Controllers.Tests.StatefulSet;

/// <summary>One sync at a time against seeded caches, in the style of upstream's stateful_set_control_test.go.</summary>
public sealed class StatefulSetControllerTests : IDisposable
{
    private readonly FakeApi _api = new();
    private readonly k8s.Kubernetes _client;
    private readonly ControllerManager _manager;
    private readonly StatefulSetController _controller;

    public StatefulSetControllerTests()
    {
        _client = _api.Client();
        _manager = new ControllerManager(_client, new InformerFactory(_client), NullLoggerFactory.Instance);
        _controller = new StatefulSetController(_manager);
    }

    public void Dispose() => _client.Dispose();

    private static V1StatefulSet Set(int replicas, string image = "nginx:1", string policy = "OrderedReady", int partition = 0,
        bool claims = false, string whenDeleted = "Retain", string whenScaled = "Retain") => new()
    {
        ApiVersion = "apps/v1",
        Kind = "StatefulSet",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "ns", Uid = "sts-uid", Generation = 2 },
        Spec = new V1StatefulSetSpec
        {
            Replicas = replicas,
            ServiceName = "nginx",
            PodManagementPolicy = policy,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = image }] },
            },
            UpdateStrategy = new V1StatefulSetUpdateStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateStatefulSetStrategy { Partition = partition } },
            RevisionHistoryLimit = 10,
            PersistentVolumeClaimRetentionPolicy = new V1StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = whenDeleted, WhenScaled = whenScaled },
            VolumeClaimTemplates = claims
                ? [new V1PersistentVolumeClaim { Metadata = new V1ObjectMeta { Name = "www" }, Spec = new V1PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"] } }]
                : null,
        },
        Status = new V1StatefulSetStatus(),
    };

    /// <summary>Seeds the set and the revision of its template; returns that revision's name.</summary>
    private string Seed(V1StatefulSet set, long revision = 1)
    {
        _manager.Informers.For(ResourceTypes.StatefulSets).Indexer.Upsert(set);
        var r = Revisions.New(set, revision, set.Status?.CollisionCount ?? 0);
        _manager.Informers.For(ResourceTypes.ControllerRevisions).Indexer.Upsert(r);
        return r.Metadata.Name;
    }

    private V1Pod AddPod(V1StatefulSet set, int ordinal, string revision, string phase = "Running", bool ready = true, bool terminating = false)
    {
        var pod = StatefulSetUtils.NewPod(set, ordinal);
        pod.Metadata.Uid = $"pod-uid-{ordinal}";
        pod.Metadata.ResourceVersion = "1";
        pod.Metadata.Labels[StatefulSetUtils.RevisionLabel] = revision;
        pod.Metadata.DeletionTimestamp = terminating ? DateTime.UtcNow : null;
        pod.Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = DateTime.UtcNow.AddMinutes(-1) }],
        };
        _manager.Informers.For(ResourceTypes.Pods).Indexer.Upsert(pod);
        return pod;
    }

    private Task SyncAsync() => _controller.SyncAsync("ns/web", CancellationToken.None);

    private List<string> Created(string resource) =>
        _api.Where("POST", "/" + resource).Select(r => r.Json!["metadata"]!["name"]!.GetValue<string>()).ToList();

    private List<string> Deleted() =>
        _api.Where("DELETE", "/pods/").Select(r => r.Path.Split('/')[^1].Split('?')[0]).ToList();

    [Fact]
    public async Task OrderedReadyCreatesEachPodOnlyAfterItsPredecessorIsRunningAndReady()
    {
        var set = Set(3);
        var revision = Seed(set);
        await SyncAsync();
        Assert.Equal(["web-0"], Created("pods"));
        var pod = _api.Where("POST", "/pods").Single().Json!;
        Assert.Equal("web-0", pod["spec"]!["hostname"]!.GetValue<string>());
        Assert.Equal("nginx", pod["spec"]!["subdomain"]!.GetValue<string>());
        Assert.Equal("web-0", pod["metadata"]!["labels"]![StatefulSetUtils.PodNameLabel]!.GetValue<string>());
        Assert.Equal("0", pod["metadata"]!["labels"]![StatefulSetUtils.PodIndexLabel]!.GetValue<string>());
        Assert.Equal(revision, pod["metadata"]!["labels"]![StatefulSetUtils.RevisionLabel]!.GetValue<string>());
        Assert.Equal("sts-uid", pod["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());

        foreach (var (phase, ready) in new[] { ("Pending", false), ("Running", false) })
        {
            _api.Clear();
            AddPod(set, 0, revision, phase, ready);
            await SyncAsync();
            Assert.Empty(Created("pods"));
        }

        _api.Clear();
        AddPod(set, 0, revision);
        await SyncAsync();
        Assert.Equal(["web-1"], Created("pods"));
    }

    [Fact]
    public async Task ParallelCreatesEveryMissingPodInOnePass()
    {
        var set = Set(3, policy: "Parallel");
        Seed(set);
        await SyncAsync();
        Assert.Equal(["web-0", "web-1", "web-2"], Created("pods").Order());
    }

    [Fact]
    public async Task OrdinalsStartShiftsTheNames()
    {
        var set = Set(2, policy: "Parallel");
        set.Spec.Ordinals = new V1StatefulSetOrdinals { Start = 5 };
        Seed(set);
        await SyncAsync();
        Assert.Equal(["web-5", "web-6"], Created("pods").Order());
    }

    [Fact]
    public async Task ScaleDownRemovesTheHighestOrdinalFirstOneAtATimeWhileTheRestAreHealthy()
    {
        var set = Set(1);
        var revision = Seed(set);
        AddPod(set, 0, revision);
        AddPod(set, 1, revision);
        AddPod(set, 2, revision);
        await SyncAsync();
        Assert.Equal(["web-2"], Deleted());

        // web-2 still terminating: web-1 waits for it.
        _api.Clear();
        AddPod(set, 2, revision, terminating: true);
        await SyncAsync();
        Assert.Empty(Deleted());

        // web-2 gone, but the remaining replica is not Ready: no scale-down.
        _api.Clear();
        _manager.Informers.For(ResourceTypes.Pods).Indexer.Delete("ns/web-2");
        AddPod(set, 0, revision, ready: false);
        await SyncAsync();
        Assert.Empty(Deleted());

        _api.Clear();
        AddPod(set, 0, revision);
        await SyncAsync();
        Assert.Equal(["web-1"], Deleted());
    }

    [Fact]
    public async Task ClaimsFromTemplatesAreCreatedBeforeThePodThatMountsThem()
    {
        var set = Set(1, claims: true, whenDeleted: "Delete");
        Seed(set);
        await SyncAsync();
        var writes = _api.Requests.Where(r => r.Method == "POST" && !r.Path.Contains("/events")).Select(r => r.Path.Split('/')[^1]).ToList();
        Assert.Equal(["persistentvolumeclaims", "pods"], writes);
        var claim = _api.Where("POST", "/persistentvolumeclaims").Single().Json!;
        Assert.Equal("www-web-0", claim["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("web", claim["metadata"]!["labels"]!["app"]!.GetValue<string>());
        // whenDeleted: Delete makes the set the claim's owner, so the garbage collector deletes it with the set.
        var owner = claim["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal(("StatefulSet", "sts-uid", true), (owner["kind"]!.GetValue<string>(), owner["uid"]!.GetValue<string>(), owner["controller"]!.GetValue<bool>()));
        var volume = _api.Where("POST", "/pods").Single().Json!["spec"]!["volumes"]![0]!;
        Assert.Equal(("www", "www-web-0"), (volume["name"]!.GetValue<string>(), volume["persistentVolumeClaim"]!["claimName"]!.GetValue<string>()));
    }

    [Fact]
    public async Task RetainedClaimsGetNoOwnerAndScaledDownPodsOwnTheirClaimsWhenWhenScaledIsDelete()
    {
        var set = Set(1, claims: true);
        Seed(set);
        await SyncAsync();
        Assert.Null(_api.Where("POST", "/persistentvolumeclaims").Single().Json!["metadata"]!["ownerReferences"]);

        var scaling = Set(1, claims: true, whenScaled: "Delete");
        var revision = Seed(scaling);
        AddPod(scaling, 0, revision);
        AddPod(scaling, 1, revision);
        foreach (var ordinal in new[] { 0, 1 })
        {
            _manager.Informers.For(ResourceTypes.PersistentVolumeClaims).Indexer.Upsert(new V1PersistentVolumeClaim
            {
                Metadata = new V1ObjectMeta { Name = $"www-web-{ordinal}", NamespaceProperty = "ns", Uid = $"claim-{ordinal}" },
            });
        }
        _api.Clear();
        await SyncAsync();
        var update = Assert.Single(_api.Where("PUT", "/persistentvolumeclaims/"));
        Assert.Contains("www-web-1", update.Path);
        var owner = update.Json!["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal(("Pod", "pod-uid-1"), (owner["kind"]!.GetValue<string>(), owner["uid"]!.GetValue<string>()));
        Assert.Equal(["web-1"], Deleted());
    }

    [Fact]
    public async Task RollingUpdateReplacesFromTheHighestOrdinalDownToThePartitionOneAtATime()
    {
        var old = Set(3, image: "nginx:1", partition: 1);
        var oldRevision = Seed(old);
        var set = Set(3, image: "nginx:2", partition: 1);
        set.Status = new V1StatefulSetStatus { CurrentRevision = oldRevision, UpdateRevision = oldRevision, Replicas = 3 };
        var newRevision = Seed(set, revision: 2);
        Assert.NotEqual(oldRevision, newRevision);
        AddPod(old, 0, oldRevision);
        AddPod(old, 1, oldRevision);
        AddPod(old, 2, oldRevision);

        await SyncAsync();
        Assert.Equal(["web-2"], Deleted());

        // Recreated at the new revision but not Ready yet: web-1 waits.
        _api.Clear();
        AddPod(set, 2, newRevision, ready: false);
        await SyncAsync();
        Assert.Empty(Deleted());

        _api.Clear();
        AddPod(set, 2, newRevision);
        await SyncAsync();
        Assert.Equal(["web-1"], Deleted());

        // Below the partition nothing moves; the status reports the partial roll-out.
        _api.Clear();
        AddPod(set, 1, newRevision);
        await SyncAsync();
        Assert.Empty(Deleted());
        var status = _api.Where("PUT", "/statefulsets/web/status").Single().Json!["status"]!;
        Assert.Equal(oldRevision, status["currentRevision"]!.GetValue<string>());
        Assert.Equal(newRevision, status["updateRevision"]!.GetValue<string>());
        Assert.Equal(1, status["currentReplicas"]!.GetValue<int>());
        Assert.Equal(2, status["updatedReplicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task ANewTemplateCreatesAControllerRevisionAndNewPodsUseIt()
    {
        var set = Set(1);
        _manager.Informers.For(ResourceTypes.StatefulSets).Indexer.Upsert(set);
        await SyncAsync();
        var revision = _api.Where("POST", "/controllerrevisions").Single().Json!;
        var name = revision["metadata"]!["name"]!.GetValue<string>();
        Assert.StartsWith("web-", name);
        Assert.Equal(1, revision["revision"]!.GetValue<long>());
        Assert.Equal("replace", revision["data"]!["spec"]!["template"]!["$patch"]!.GetValue<string>());
        Assert.Equal("web", revision["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Equal(name, _api.Where("POST", "/pods").Single().Json!["metadata"]!["labels"]![StatefulSetUtils.RevisionLabel]!.GetValue<string>());
    }

    [Fact]
    public async Task StatusCountsReadyCurrentUpdatedAndAvailablePodsAndCompletesTheRollout()
    {
        var set = Set(3);
        var revision = Seed(set);
        AddPod(set, 0, revision);
        AddPod(set, 1, revision);
        AddPod(set, 2, revision);
        await SyncAsync();
        var status = _api.Where("PUT", "/statefulsets/web/status").Single().Json!["status"]!;
        Assert.Equal(2, status["observedGeneration"]!.GetValue<long>());
        foreach (var field in new[] { "replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas" })
        {
            Assert.Equal(3, status[field]!.GetValue<int>());
        }
        Assert.Equal(revision, status["currentRevision"]!.GetValue<string>());
        Assert.Equal(revision, status["updateRevision"]!.GetValue<string>());
    }

    [Fact]
    public async Task FailedPodsAreDeletedToBeRecreated()
    {
        var set = Set(2);
        var revision = Seed(set);
        AddPod(set, 0, revision, phase: "Failed", ready: false);
        await SyncAsync();
        Assert.Equal(["web-0"], Deleted());
        Assert.Empty(Created("pods")); // the replacement comes once the old pod is gone

        // Parallel: the other replicas are not held up by it.
        _api.Clear();
        _manager.Informers.For(ResourceTypes.StatefulSets).Indexer.Upsert(Set(2, policy: "Parallel"));
        await SyncAsync();
        Assert.Equal(["web-0"], Deleted());
        Assert.Equal(["web-1"], Created("pods"));
    }

    [Fact]
    public async Task OnDeleteLeavesPodsAtTheOldRevision()
    {
        var old = Set(2);
        var oldRevision = Seed(old);
        var set = Set(2, image: "nginx:2");
        set.Spec.UpdateStrategy = new V1StatefulSetUpdateStrategy { Type = "OnDelete" };
        set.Status = new V1StatefulSetStatus { CurrentRevision = oldRevision };
        Seed(set, revision: 2);
        AddPod(old, 0, oldRevision);
        AddPod(old, 1, oldRevision);
        await SyncAsync();
        Assert.Empty(Deleted());
    }

    [Fact]
    public async Task HistoryBeyondTheLimitIsDeletedOldestFirstKeepingLiveRevisions()
    {
        var set = Set(1);
        set.Spec.RevisionHistoryLimit = 1;
        var names = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            names.Add(Seed(Set(1, image: $"nginx:old{i}"), revision: i));
        }
        var live = Seed(set, revision: 4);
        AddPod(set, 0, live);
        await SyncAsync();
        var deleted = _api.Where("DELETE", "/controllerrevisions/").Select(r => r.Path.Split('/')[^1].Split('?')[0]).ToList();
        Assert.Equal(names.Take(2), deleted);
    }

    [Fact]
    public async Task OrderedReadyAlsoWaitsForMinReadySeconds()
    {
        var set = Set(2);
        set.Spec.MinReadySeconds = 600; // web-0 has been Ready for a minute only
        var revision = Seed(set);
        AddPod(set, 0, revision);
        await SyncAsync();
        Assert.Empty(Created("pods"));
        var status = _api.Where("PUT", "/statefulsets/web/status").Single().Json!["status"]!;
        Assert.Equal((1, 0), (status["readyReplicas"]!.GetValue<int>(), status["availableReplicas"]!.GetValue<int>()));
    }

    [Fact]
    public async Task MaxUnavailableReplacesSeveralPodsAtOnce()
    {
        var old = Set(3);
        var oldRevision = Seed(old);
        var set = Set(3, image: "nginx:2");
        set.Spec.UpdateStrategy.RollingUpdate = new V1RollingUpdateStatefulSetStrategy { Partition = 0, MaxUnavailable = "2" };
        set.Status = new V1StatefulSetStatus { CurrentRevision = oldRevision };
        Seed(set, revision: 2);
        AddPod(old, 0, oldRevision);
        AddPod(old, 1, oldRevision);
        AddPod(old, 2, oldRevision);
        await SyncAsync();
        Assert.Equal(["web-2", "web-1"], Deleted());
    }

    [Fact]
    public void PercentMaxUnavailableRoundsUp()
    {
        Assert.Equal(2, StatefulSetControl.ScaledValue("50%", 3));
        Assert.Equal(3, StatefulSetControl.ScaledValue("3", 10));
    }
}
