using Coxswain.Client.Cache;
using Coxswain.Controllers.GarbageCollector;
using Coxswain.Controllers.Tests.Support;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Controllers.Tests.GarbageCollector;

/// <summary>Graph decisions of the garbage collector, one sync at a time against a fake API.</summary>
public sealed class GarbageCollectorControllerTests : IDisposable
{
    private static readonly ApiResource Pods = new("", "v1", "pods", "Pod", true, new HashSet<string> { "list", "watch", "delete" });
    private static readonly ApiResource ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true, new HashSet<string> { "list", "watch", "delete" });

    private readonly FakeApi _api = new();
    private readonly k8s.Kubernetes _client;
    private readonly GarbageCollectorController _gc;

    public GarbageCollectorControllerTests()
    {
        _client = _api.Client();
        var manager = new ControllerManager(_client, new InformerFactory(_client), NullLoggerFactory.Instance);
        _gc = new GarbageCollectorController(manager) { Resources = [Pods, ReplicaSets] };
    }

    public void Dispose() => _client.Dispose();

    private static V1ObjectMeta Meta(string name, string uid, params V1OwnerReference[] owners) => new()
    {
        Name = name, NamespaceProperty = "ns", Uid = uid, ResourceVersion = "7", OwnerReferences = owners.Length == 0 ? null : [.. owners],
    };

    private static V1OwnerReference Ref(string name, string uid, bool block = false) =>
        new() { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = name, Uid = uid, Controller = true, BlockOwnerDeletion = block };

    [Fact]
    public async Task ADependentWhoseOwnerIsGoneIsDeletedInTheBackground()
    {
        _gc.Observe(Pods, Meta("p", "pod-1", Ref("rs", "rs-1")));

        await _gc.SyncAsync("pod-1", CancellationToken.None);

        // The owner is not in the graph: it is looked up before the dependent goes.
        Assert.Single(_api.Where("GET", "/apis/apps/v1/namespaces/ns/replicasets/rs"));
        var delete = Assert.Single(_api.Where("DELETE", "/api/v1/namespaces/ns/pods/p"));
        Assert.Equal("Background", delete.Json!["propagationPolicy"]!.GetValue<string>());
        Assert.Equal("pod-1", delete.Json!["preconditions"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public async Task ADependentWithALiveOwnerStays()
    {
        _gc.Observe(ReplicaSets, Meta("rs", "rs-1"));
        _gc.Observe(Pods, Meta("p", "pod-1", Ref("rs", "rs-1")));

        await _gc.SyncAsync("pod-1", CancellationToken.None);

        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task OnlyTheMissingOwnerReferenceIsDroppedWhenAnotherOwnerLives()
    {
        _gc.Observe(ReplicaSets, Meta("rs", "rs-1"));
        _gc.Observe(Pods, Meta("p", "pod-1", Ref("rs", "rs-1"), Ref("gone", "rs-2")));

        await _gc.SyncAsync("pod-1", CancellationToken.None);

        Assert.Empty(_api.Where("DELETE", "/pods/"));
        var patch = Assert.Single(_api.Where("PATCH", "/api/v1/namespaces/ns/pods/p"));
        var refs = patch.Json!["metadata"]!["ownerReferences"]!.AsArray();
        Assert.Equal("rs-1", Assert.Single(refs)!["uid"]!.GetValue<string>());
        Assert.Equal("7", patch.Json!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task ForegroundDeletionDeletesDependentsThenDropsTheFinalizerOnceNoneBlocks()
    {
        var owner = Meta("rs", "rs-1");
        owner.DeletionTimestamp = DateTime.UtcNow;
        owner.Finalizers = [GarbageCollectorController.ForegroundFinalizer];
        _gc.Observe(ReplicaSets, owner);
        var blocking = Meta("p1", "pod-1", Ref("rs", "rs-1", block: true));
        _gc.Observe(Pods, blocking);
        _gc.Observe(Pods, Meta("p2", "pod-2", Ref("rs", "rs-1")));

        await _gc.SyncAsync("rs-1", CancellationToken.None);

        Assert.Equal("Foreground", Assert.Single(_api.Where("DELETE", "/pods/p1")).Json!["propagationPolicy"]!.GetValue<string>());
        Assert.Equal("Background", Assert.Single(_api.Where("DELETE", "/pods/p2")).Json!["propagationPolicy"]!.GetValue<string>());
        Assert.Empty(_api.Where("PATCH", "/replicasets/rs")); // p1 still blocks

        _api.Clear();
        _gc.Forget(blocking);
        await _gc.SyncAsync("rs-1", CancellationToken.None);

        var patch = Assert.Single(_api.Where("PATCH", "/apis/apps/v1/namespaces/ns/replicasets/rs"));
        Assert.Null(patch.Json!["metadata"]!["finalizers"]);
        Assert.True(patch.Json!["metadata"]!.AsObject().ContainsKey("finalizers"));
    }

    [Fact]
    public async Task ForegroundDeletionOnlyDropsItsReferenceFromADependentAnotherOwnerHolds()
    {
        var owner = Meta("rs", "rs-1");
        owner.DeletionTimestamp = DateTime.UtcNow;
        owner.Finalizers = [GarbageCollectorController.ForegroundFinalizer];
        _gc.Observe(ReplicaSets, owner);
        _gc.Observe(ReplicaSets, Meta("other", "rs-2"));
        _gc.Observe(Pods, Meta("p", "pod-1", Ref("rs", "rs-1", block: true), Ref("other", "rs-2")));

        await _gc.SyncAsync("rs-1", CancellationToken.None);

        Assert.Empty(_api.Where("DELETE", "/"));
        var patch = Assert.Single(_api.Where("PATCH", "/api/v1/namespaces/ns/pods/p"));
        Assert.Equal("rs-2", Assert.Single(patch.Json!["metadata"]!["ownerReferences"]!.AsArray())!["uid"]!.GetValue<string>());
    }

    [Fact]
    public async Task OrphanFinalizerStripsTheOwnerReferenceFromEveryDependentFirst()
    {
        var owner = Meta("rs", "rs-1");
        owner.DeletionTimestamp = DateTime.UtcNow;
        owner.Finalizers = [GarbageCollectorController.OrphanFinalizer, "example.com/keep"];
        _gc.Observe(ReplicaSets, owner);
        _gc.Observe(ReplicaSets, Meta("other", "rs-2"));
        _gc.Observe(Pods, Meta("p1", "pod-1", Ref("rs", "rs-1")));
        _gc.Observe(Pods, Meta("p2", "pod-2", Ref("rs", "rs-1"), Ref("other", "rs-2")));

        await _gc.SyncAsync("rs-1", CancellationToken.None);

        Assert.Empty(_api.Where("DELETE", "/"));
        var patches = _api.Where("PATCH", "/");
        Assert.Equal(3, patches.Count);
        Assert.Null(patches.Single(p => p.Path.EndsWith("/pods/p1", StringComparison.Ordinal)).Json!["metadata"]!["ownerReferences"]);
        var kept = patches.Single(p => p.Path.EndsWith("/pods/p2", StringComparison.Ordinal)).Json!["metadata"]!["ownerReferences"]!.AsArray();
        Assert.Equal("rs-2", Assert.Single(kept)!["uid"]!.GetValue<string>());
        // The owner's finalizer goes last, keeping the others.
        Assert.EndsWith("/replicasets/rs", patches[^1].Path, StringComparison.Ordinal);
        Assert.Equal("example.com/keep", Assert.Single(patches[^1].Json!["metadata"]!["finalizers"]!.AsArray())!.GetValue<string>());
    }

    [Fact]
    public async Task AnOwnerBeingDeletedWithoutGcFinalizersIsLeftAlone()
    {
        var owner = Meta("rs", "rs-1");
        owner.DeletionTimestamp = DateTime.UtcNow;
        owner.Finalizers = ["example.com/keep"];
        _gc.Observe(ReplicaSets, owner);
        _gc.Observe(Pods, Meta("p1", "pod-1", Ref("rs", "rs-1")));

        await _gc.SyncAsync("rs-1", CancellationToken.None);
        await _gc.SyncAsync("pod-1", CancellationToken.None);

        Assert.Empty(_api.Requests);
    }

    [Fact]
    public void MetadataIsReadFromAnyObjectWithoutManagedFields()
    {
        var json = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","uid":"u1","managedFields":[{"manager":"kubectl"}],
             "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"rs-1","blockOwnerDeletion":true}]},
             "spec":{"containers":[{"name":"c","image":"nginx"}]}}
            """;
        var o = k8s.KubernetesJson.Deserialize<ObjectMetadata>(json);
        Assert.Equal(("Pod", "u1"), (o.Kind, o.Metadata.Uid));
        Assert.Null(o.Metadata.ManagedFields);
        Assert.True(Assert.Single(o.Metadata.OwnerReferences).BlockOwnerDeletion);
    }
}
