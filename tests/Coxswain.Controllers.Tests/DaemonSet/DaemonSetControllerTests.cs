using Coxswain.Controllers.DaemonSet;
using k8s.Models;
using static Coxswain.Controllers.Tests.DaemonSet.DaemonSetFixture;

namespace Coxswain.Controllers.Tests.DaemonSet;

public sealed class DaemonSetControllerTests
{
    private static V1Taint Taint(string key, string effect, string? value = null) => new() { Key = key, Value = value, Effect = effect };

    [Fact]
    public async Task CreatesOnePodPerEligibleNodePinnedByNodeAffinityWithTheAutomaticTolerations()
    {
        using var f = new DaemonSetFixture();
        var ds = NewDaemonSet();
        ds.Metadata.Annotations = new Dictionary<string, string> { [DaemonPods.TemplateGenerationAnnotation] = "3" };
        f.Add(ds, withRevision: false);
        f.Add(Node("plain"));
        f.Add(Node("dedicated", null, Taint("dedicated", "NoSchedule", "db")));
        f.Add(Node("cordoned", null, Taint("node.kubernetes.io/unschedulable", "NoSchedule")));
        f.Add(Node("notready", null, Taint("node.kubernetes.io/not-ready", "NoExecute")));
        f.Add(Node("evicting", null, Taint("gpu", "NoExecute")));

        await f.SyncAsync();

        Assert.Equal(["cordoned", "notready", "plain"], f.CreatedOn);
        var hash = Hash(ds);
        var revision = Assert.Single(f.Api.Where("POST", "/controllerrevisions")).Json!;
        Assert.Equal($"ds-{hash}", revision["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(1, revision["revision"]!.GetValue<long>());
        Assert.Equal("replace", revision["data"]!["spec"]!["template"]!["$patch"]!.GetValue<string>());

        var pod = f.CreatedPods[0].Json!;
        Assert.Equal("ds-", pod["metadata"]!["generateName"]!.GetValue<string>());
        Assert.Null(pod["spec"]!["nodeName"]);
        Assert.Equal(hash, pod["metadata"]!["labels"]![DaemonPods.RevisionHashLabel]!.GetValue<string>());
        Assert.Equal("3", pod["metadata"]!["labels"]![DaemonPods.TemplateGenerationLabel]!.GetValue<string>());
        Assert.Equal("uid-ds", pod["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());
        var tolerations = pod["spec"]!["tolerations"]!.AsArray().Select(t => $"{t!["key"]}:{t["effect"]}").ToList();
        Assert.Equal(
            ["node.kubernetes.io/not-ready:NoExecute", "node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/disk-pressure:NoSchedule",
             "node.kubernetes.io/memory-pressure:NoSchedule", "node.kubernetes.io/pid-pressure:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule"],
            tolerations);
        Assert.True(!f.Controller.Expectations.Satisfied("ns/ds"));
    }

    [Fact]
    public void HostNetworkPodsAlsoTolerateAnUnavailableNetworkAndTemplateTolerationsCount()
    {
        var ds = NewDaemonSet();
        ds.Spec.Template.Spec.HostNetwork = true;
        Assert.Contains(DaemonPods.WithAutomaticTolerations(ds.Spec.Template.Spec), t => t.Key == "node.kubernetes.io/network-unavailable");
        var node = Node("n", null, Taint("dedicated", "NoSchedule", "db"));
        Assert.Equal((false, true), DaemonPods.NodeShouldRun(node, ds));
        ds.Spec.Template.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "db", Effect = "NoSchedule" }];
        Assert.Equal((true, true), DaemonPods.NodeShouldRun(node, ds));
        Assert.Equal((false, false), DaemonPods.NodeShouldRun(Node("n", null, Taint("gpu", "NoExecute")), ds));
    }

    [Fact]
    public async Task NodeSelectorAndRequiredNodeAffinityRestrictTheNodes()
    {
        using var f = new DaemonSetFixture();
        var ds = NewDaemonSet();
        ds.Spec.Template.Spec.NodeSelector = new Dictionary<string, string> { ["role"] = "edge" };
        ds.Spec.Template.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "NotIn", Values = ["b"] }] }],
                },
            },
        };
        f.Add(ds);
        f.Add(Node("edge-a", new Dictionary<string, string> { ["role"] = "edge", ["zone"] = "a" }));
        f.Add(Node("edge-b", new Dictionary<string, string> { ["role"] = "edge", ["zone"] = "b" }));
        f.Add(Node("core-a", new Dictionary<string, string> { ["role"] = "core", ["zone"] = "a" }));

        await f.SyncAsync();

        Assert.Equal(["edge-a"], f.CreatedOn);
        // The template's own terms were checked here; the pod carries only the pin to its node.
        var terms = f.CreatedPods[0].Json!["spec"]!["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!["nodeSelectorTerms"]!.AsArray();
        Assert.Single(terms);
        Assert.Empty(f.Api.Where("POST", "/controllerrevisions"));
    }

    [Fact]
    public async Task DeletesPodsOnNodesThatStoppedQualifyingOrAreGone()
    {
        using var f = new DaemonSetFixture();
        var ds = NewDaemonSet();
        ds.Spec.Template.Spec.NodeSelector = new Dictionary<string, string> { ["role"] = "edge" };
        f.Add(ds);
        var edge = new Dictionary<string, string> { ["role"] = "edge" };
        var hash = Hash(ds);
        f.Add(Node("keep", edge));
        f.Add(Node("relabelled"));
        f.Add(Node("noschedule", edge, Taint("dedicated", "NoSchedule")));
        f.Add(Node("noexecute", edge, Taint("dedicated", "NoExecute")));
        foreach (var n in new[] { "keep", "relabelled", "noschedule", "noexecute", "gone" })
        {
            f.Add(f.Pod(ds, "p-" + n, n, hash));
        }

        await f.SyncAsync();

        // An untolerated NoSchedule taint keeps new pods off but lets a running one stay.
        Assert.Equal(["p-gone", "p-noexecute", "p-relabelled"], f.DeletedPods);
        // No kubelet will confirm the deletion of a pod whose node is gone: it goes at once, as the pod GC does it.
        Assert.Equal(0, f.Api.Where("DELETE", "/pods/p-gone").Single().Json!["gracePeriodSeconds"]!.GetValue<int>());
        Assert.Null(f.Api.Where("DELETE", "/pods/p-relabelled").Single().Json?["gracePeriodSeconds"]);
        Assert.Empty(f.CreatedPods);
        var status = f.LastStatus!;
        Assert.Equal(1, status["desiredNumberScheduled"]!.GetValue<int>());
        Assert.Equal(1, status["currentNumberScheduled"]!.GetValue<int>());
        Assert.Equal(3, status["numberMisscheduled"]!.GetValue<int>());
    }

    [Fact]
    public async Task FailedPodsAreDeletedWithBackoffAndReplaced()
    {
        using var f = new DaemonSetFixture();
        var ds = NewDaemonSet();
        f.Add(ds);
        f.Add(Node("n1"));
        f.Add(f.Pod(ds, "failed", "n1", Hash(ds), ready: false, phase: "Failed"));

        await f.SyncAsync();
        Assert.Equal(["failed"], f.DeletedPods);
        Assert.Empty(f.CreatedPods);

        // The deletion is seen: the node gets a new pod.
        f.Manager.Informers.For(Coxswain.Client.ResourceTypes.Pods).Indexer.Delete("ns/failed");
        f.Controller.Expectations.DeletionObserved("ns/ds", "ns/failed");
        await f.SyncAsync();
        Assert.Equal(["n1"], f.CreatedOn);

        // It fails again at once: within the backoff it is left alone.
        f.Api.Clear();
        f.Controller.Expectations.CreationObserved("ns/ds");
        f.Add(f.Pod(ds, "failed2", "n1", Hash(ds), ready: false, phase: "Failed"));
        await f.SyncAsync();
        Assert.Empty(f.DeletedPods);
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await f.SyncAsync();
        Assert.Equal(["failed2"], f.DeletedPods);
    }

    [Fact]
    public async Task StatusCountsScheduledReadyAvailableAndUpdatedPods()
    {
        using var f = new DaemonSetFixture();
        var ds = NewDaemonSet();
        ds.Metadata.Generation = 3;
        ds.Spec.MinReadySeconds = 60;
        ds.Spec.Template.Spec.NodeSelector = new Dictionary<string, string> { ["ds"] = "yes" };
        f.Add(ds);
        var yes = new Dictionary<string, string> { ["ds"] = "yes" };
        foreach (var n in new[] { "n1", "n2", "n3", "n4" })
        {
            f.Add(Node(n, yes));
        }
        f.Add(Node("other"));
        var hash = Hash(ds);
        f.Add(f.Pod(ds, "new-available", "n1", hash));
        f.Add(f.Pod(ds, "new-ready-recently", "n2", hash, ageSeconds: 10));
        f.Add(f.Pod(ds, "old-not-ready", "n3", "oldhash", ready: false));
        f.Add(f.Pod(ds, "misplaced", "other", hash));
        // n4 has none yet: one pod is created. The rolling update waits for that create to be observed.
        await f.SyncAsync();

        Assert.Equal(["n4"], f.CreatedOn);
        Assert.Equal(["misplaced"], f.DeletedPods);
        var s = f.LastStatus!;
        Assert.Equal(4, s["desiredNumberScheduled"]!.GetValue<int>());
        Assert.Equal(3, s["currentNumberScheduled"]!.GetValue<int>());
        Assert.Equal(1, s["numberMisscheduled"]!.GetValue<int>());
        Assert.Equal(2, s["numberReady"]!.GetValue<int>());
        Assert.Equal(1, s["numberAvailable"]!.GetValue<int>());
        Assert.Equal(3, s["numberUnavailable"]!.GetValue<int>());
        Assert.Equal(2, s["updatedNumberScheduled"]!.GetValue<int>());
        Assert.Equal(3, s["observedGeneration"]!.GetValue<long>());
    }

    [Fact]
    public async Task RollingUpdateDeletesOldPodsWithinMaxUnavailable()
    {
        using var f = new DaemonSetFixture();
        var ds = NewDaemonSet();
        f.Add(ds);
        for (var i = 1; i <= 3; i++)
        {
            f.Add(Node($"n{i}"));
            f.Add(f.Pod(ds, $"old{i}", $"n{i}", "oldhash"));
        }

        await f.SyncAsync();
        Assert.Equal(["old1"], f.DeletedPods);
        Assert.Equal(3, f.LastStatus!["currentNumberScheduled"]!.GetValue<int>());
        Assert.Equal(0, f.LastStatus!["updatedNumberScheduled"]!.GetValue<int>());

        // old1 is gone: n1 gets a new pod and nothing else is deleted while it is not available.
        f.Api.Clear();
        f.Manager.Informers.For(Coxswain.Client.ResourceTypes.Pods).Indexer.Delete("ns/old1");
        f.Controller.Expectations.DeletionObserved("ns/ds", "ns/old1");
        await f.SyncAsync();
        Assert.Equal(["n1"], f.CreatedOn);
        Assert.Empty(f.DeletedPods);

        f.Api.Clear();
        f.Controller.Expectations.CreationObserved("ns/ds");
        f.Add(f.Pod(ds, "new1", "n1", Hash(ds), ready: false, ageSeconds: 1));
        await f.SyncAsync();
        Assert.Empty(f.CreatedPods);
        Assert.Empty(f.DeletedPods);

        // Available: the next old pod goes.
        f.Add(f.Pod(ds, "new1", "n1", Hash(ds)));
        await f.SyncAsync();
        Assert.Equal(["old2"], f.DeletedPods);
    }

    [Fact]
    public async Task PercentMaxUnavailableRoundsUpAndOnDeleteLeavesOldPods()
    {
        using var f = new DaemonSetFixture();
        var ds = NewDaemonSet(maxUnavailable: "30%");
        f.Add(ds);
        var onDelete = NewDaemonSet("od", strategy: "OnDelete");
        f.Add(onDelete);
        for (var i = 1; i <= 5; i++)
        {
            f.Add(Node($"n{i}"));
            f.Add(f.Pod(ds, $"old{i}", $"n{i}", "oldhash"));
            f.Add(f.Pod(onDelete, $"od-old{i}", $"n{i}", "oldhash"));
        }

        await f.SyncAsync();
        Assert.Equal(["old1", "old2"], f.DeletedPods); // 30% of 5 rounds up to 2

        f.Api.Clear();
        await f.SyncAsync("od");
        Assert.Empty(f.DeletedPods);
        Assert.Empty(f.CreatedPods);
    }

    [Fact]
    public async Task SurgeStartsNewPodsBesideOldOnesAndDeletesOldOnesOnceReplaced()
    {
        using var f = new DaemonSetFixture();
        var ds = NewDaemonSet(maxUnavailable: "0", maxSurge: "1");
        f.Add(ds);
        var hash = Hash(ds);
        for (var i = 1; i <= 3; i++)
        {
            f.Add(Node($"n{i}"));
            f.Add(f.Pod(ds, $"old{i}", $"n{i}", "oldhash"));
        }

        await f.SyncAsync();
        Assert.Equal(["n1"], f.CreatedOn);
        Assert.Empty(f.DeletedPods);

        // The new pod on n1 is available: the old one goes ...
        f.Api.Clear();
        f.Controller.Expectations.CreationObserved("ns/ds");
        f.Add(f.Pod(ds, "new1", "n1", hash, ageSeconds: 120));
        await f.SyncAsync();
        Assert.Equal(["old1"], f.DeletedPods);
        Assert.Empty(f.CreatedPods);

        // ... and once that is seen, n2 surges next.
        f.Api.Clear();
        f.Manager.Informers.For(Coxswain.Client.ResourceTypes.Pods).Indexer.Delete("ns/old1");
        f.Controller.Expectations.DeletionObserved("ns/ds", "ns/old1");
        await f.SyncAsync();
        Assert.Empty(f.DeletedPods);
        Assert.Equal(["n2"], f.CreatedOn);
    }

    [Fact]
    public async Task ReturningToAnOldTemplateRenumbersItsRevisionAndOldRevisionsAreTrimmed()
    {
        using var f = new DaemonSetFixture();
        var ds = NewDaemonSet();
        ds.Spec.RevisionHistoryLimit = 1;
        f.Add(ds, withRevision: false);
        var v2 = NewDaemonSet();
        v2.Spec.Template.Spec.Containers[0].Image = "busybox:2";
        var v3 = NewDaemonSet();
        v3.Spec.Template.Spec.Containers[0].Image = "busybox:3";
        f.Add(Revision(ds, 1));
        f.Add(Revision(v2, 2, Hash(v2)));
        f.Add(Revision(v3, 3, Hash(v3)));
        f.Add(Node("n1"));
        f.Add(f.Pod(ds, "p", "n1", Hash(v3)));

        await f.SyncAsync();

        var put = Assert.Single(f.Api.Where("PUT", "/controllerrevisions/"));
        Assert.EndsWith($"/controllerrevisions/ds-{Hash(ds)}", put.Path);
        Assert.Equal(4, put.Json!["revision"]!.GetValue<long>());
        // Limit 1 of the two old revisions: v2 goes, v3 stays because a pod still runs it.
        var deleted = Assert.Single(f.Api.Where("DELETE", "/controllerrevisions/"));
        Assert.EndsWith($"/controllerrevisions/ds-{Hash(v2)}", deleted.Path);
        Assert.Empty(f.Api.Where("POST", "/controllerrevisions"));
    }

    [Fact]
    public void RevisionDataIsThePatchKubectlComputes()
    {
        var ds = NewDaemonSet();
        ds.Spec.Template.Spec.Containers[0].Args = ["a<b", "say \"hi\""];
        // Go's encoding: sorted keys, empty creationTimestamp and resources written, <>& escaped, quotes as \".
        Assert.Equal(
            """{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"ds"}},"spec":{"containers":[{"args":["a\u003cb","say \"hi\""],"image":"busybox:1","name":"c","resources":{}}]}}}}""",
            DaemonSetController.Patch(ds));
    }

    [Fact]
    public async Task AHashCollisionBumpsCollisionCount()
    {
        using var f = new DaemonSetFixture();
        var ds = NewDaemonSet();
        f.Add(ds, withRevision: false);
        f.Add(Node("n1"));
        f.Api.Fail("POST", "/controllerrevisions", System.Net.HttpStatusCode.Conflict, "AlreadyExists");
        // The GET of the existing revision answers with the echo of nothing: data that does not match.
        await Assert.ThrowsAnyAsync<Exception>(() => f.SyncAsync());
        var status = Assert.Single(f.Api.Where("PUT", "/daemonsets/ds/status"));
        Assert.Equal(1, status.Json!["status"]!["collisionCount"]!.GetValue<int>());
        Assert.Empty(f.CreatedPods);
    }
}
