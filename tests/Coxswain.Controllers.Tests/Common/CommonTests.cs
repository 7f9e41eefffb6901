using Coxswain.Controllers.Common;
using Coxswain.Controllers.Tests.Support;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Coxswain.Controllers.Tests.Common;

public sealed class ExpectationsTests
{
    [Fact]
    public void CreatesAndDeletesMustBeObservedOrTimeOut()
    {
        var time = new FakeTimeProvider();
        var e = new Expectations(time);
        Assert.True(e.Satisfied("ns/rs"));
        e.ExpectCreations("ns/rs", 2);
        Assert.False(e.Satisfied("ns/rs"));
        e.CreationObserved("ns/rs");
        Assert.False(e.Satisfied("ns/rs"));
        e.CreationObserved("ns/rs");
        Assert.True(e.Satisfied("ns/rs"));

        e.ExpectDeletions("ns/rs", ["ns/p1", "ns/p2"]);
        e.DeletionObserved("ns/rs", "ns/p1");
        e.DeletionObserved("ns/rs", "ns/p1"); // the same pod twice counts once
        Assert.False(e.Satisfied("ns/rs"));
        time.Advance(Expectations.Timeout + TimeSpan.FromSeconds(1));
        Assert.True(e.Satisfied("ns/rs"));
    }
}

public sealed class SlowStartTests
{
    [Fact]
    public async Task BatchesDoubleAndStopAtTheFirstFailingBatch()
    {
        var calls = 0;
        var (ok, error) = await SlowStart.BatchAsync(10, _ => { Interlocked.Increment(ref calls); return Task.CompletedTask; });
        Assert.Equal((10, null), (ok, error));
        Assert.Equal(10, calls);

        // Batches 1, 2, 4: the call with index 5 fails in the third batch, so the fourth (3 calls) never runs.
        calls = 0;
        (ok, error) = await SlowStart.BatchAsync(10, i =>
        {
            Interlocked.Increment(ref calls);
            return i == 5 ? Task.FromException(new InvalidOperationException("rejected")) : Task.CompletedTask;
        });
        Assert.Equal(6, ok);
        Assert.Equal("rejected", error!.Message);
        Assert.Equal(7, calls);
    }
}

public sealed class ControllerRefManagerTests
{
    private static V1Pod Pod(string name, string app, V1OwnerReference? owner = null, bool deleting = false) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = "ns", Uid = "uid-" + name,
            Labels = new Dictionary<string, string> { ["app"] = app },
            OwnerReferences = owner == null ? null : [owner],
            DeletionTimestamp = deleting ? DateTime.UtcNow : null,
        },
    };

    [Fact]
    public async Task AdoptsMatchingOrphansReleasesNonMatchingAndLeavesOthersAlone()
    {
        var api = new FakeApi();
        using var client = api.Client();
        var rs = new V1ReplicaSet { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "ns", Uid = "rs-uid" } };
        var selfRef = OwnerRefs.NewControllerRef(rs, "apps/v1", "ReplicaSet");
        var otherRef = new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "other", Uid = "other-uid", Controller = true };
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } };
        var control = new PodControl(client, null!);
        var manager = new ControllerRefManager<V1Pod>(rs, selfRef, selector, control.PatchAsync);

        var claimed = await manager.ClaimAsync(
        [
            Pod("mine", "web", selfRef),          // kept
            Pod("orphan", "web"),                 // adopted
            Pod("strayed", "db", selfRef),        // released
            Pod("theirs", "web", otherRef),       // someone else's
            Pod("dying-orphan", "web", deleting: true), // not adopted
            Pod("unrelated", "db"),               // not adopted
        ], CancellationToken.None);

        Assert.Equal(["mine", "orphan"], claimed.Select(p => p.Metadata.Name));
        var patches = api.Where("PATCH", "/pods/");
        Assert.Equal(2, patches.Count);
        var adopt = patches.Single(p => p.Path.Contains("/pods/orphan"));
        Assert.Equal("rs-uid", adopt.Json!["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());
        Assert.True(adopt.Json!["metadata"]!["ownerReferences"]![0]!["controller"]!.GetValue<bool>());
        Assert.Equal("uid-orphan", adopt.Json!["metadata"]!["uid"]!.GetValue<string>());
        var release = patches.Single(p => p.Path.Contains("/pods/strayed"));
        Assert.Equal("delete", release.Json!["metadata"]!["ownerReferences"]![0]!["$patch"]!.GetValue<string>());
    }

    [Fact]
    public void PodsFromATemplateCarryItsMetadataAndTheControllerRef()
    {
        var rs = new V1ReplicaSet { Metadata = new V1ObjectMeta { Name = "web-5d4", NamespaceProperty = "ns", Uid = "rs-uid" } };
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" }, Annotations = new Dictionary<string, string> { ["a"] = "b" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] },
        };
        var pod = PodControl.FromTemplate(rs, template, OwnerRefs.NewControllerRef(rs, "apps/v1", "ReplicaSet"));
        Assert.Equal("web-5d4-", pod.Metadata.GenerateName);
        Assert.Equal("ns", pod.Metadata.NamespaceProperty);
        Assert.Equal("web", pod.Metadata.Labels["app"]);
        Assert.Equal("b", pod.Metadata.Annotations["a"]);
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.Equal(("ReplicaSet", "web-5d4", "rs-uid", true, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        Assert.NotSame(template.Spec, pod.Spec);
        pod.Spec.Containers[0].Image = "changed";
        Assert.Equal("nginx", template.Spec.Containers[0].Image);
    }
}

public sealed class ControllerManagerTests
{
    [Theory]
    [InlineData("*", "replicaset-controller", true)]
    [InlineData("*,-deployment", "deployment", false)]
    [InlineData("*,-deployment", "Deployment-Controller", false)]
    [InlineData("*,-deployment", "replicaset", true)]
    [InlineData("replicaset,job", "job-controller", true)]
    [InlineData("replicaset,job", "daemonset", false)]
    [InlineData("", "replicaset", false)]
    public void ControllersFlagAsKubeControllerManager(string flag, string name, bool enabled)
    {
        var api = new FakeApi();
        using var client = api.Client();
        var manager = new ControllerManager(client, new Coxswain.Client.Cache.InformerFactory(client), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, flag);
        Assert.Equal(enabled, manager.IsEnabled(name));
    }
}
