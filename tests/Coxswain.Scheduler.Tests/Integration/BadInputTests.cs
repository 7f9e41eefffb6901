using System.Net;
using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static Coxswain.Scheduler.Tests.Integration.ClusterHelpers;

namespace Coxswain.Scheduler.Tests.Integration;

/// <summary>
/// Pods and nodes the scheduler cannot use: each is reported (or ignored) the way upstream does it, and the scheduler
/// keeps running and binds the ordinary pod that comes after them.
/// </summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task UnschedulablePodsAndBrokenNodesDoNotStopTheScheduler()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        await CreateNodeAsync(c, "healthy", cpu: "2");
        // Nodes the scheduler must survive and never bind to: no status at all, a Ready status without
        // capacity/allocatable, and allocatable pods "0".
        await CreateBareNodeAsync(c, "no-status");
        await CreateBareNodeAsync(c, "no-capacity");
        await SetNodeStatusAsync(c, "no-capacity", resources: null);
        await CreateBareNodeAsync(c, "zero-pods");
        await SetNodeStatusAsync(c, "zero-pods", new Dictionary<string, ResourceQuantity> { ["cpu"] = new("8"), ["memory"] = new("4Gi"), ["pods"] = new("0") });

        // A malformed quantity never reaches the scheduler: the API server refuses the write.
        var malformed = await Assert.ThrowsAsync<HttpOperationException>(() => c.CoreV1.PatchNodeStatusAsync(
            new V1Patch("{\"status\":{\"capacity\":{\"cpu\":\"abc\"},\"allocatable\":{\"cpu\":\"abc\"}}}", V1Patch.PatchType.MergePatch), "no-capacity"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, malformed.Response.StatusCode);   // upstream: a patched object that does not decode is Invalid on "patch"
        Assert.Contains("quantities must match the regular expression", malformed.Response.Content);
        Assert.Null((await c.CoreV1.ReadNodeAsync("no-capacity")).Status.Allocatable);

        await CreatePodAsync(c, Pod("huge", cpu: "100"));
        await CreatePodAsync(c, Pod("nowhere", affinity: new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "region", OperatorProperty = "In", Values = ["atlantis"] }] }],
                },
            },
        }));
        await CreatePodAsync(c, Pod("foreign", schedulerName: "no-such-scheduler"));
        await CreatePodAsync(c, Pod("normal"));

        var normal = await WaitBoundAsync(c, "normal");
        Assert.Equal("healthy", normal.Spec.NodeName);

        // Upstream's NodeResourcesFit reports every missing resource of a node: the three broken nodes allow 0 pods
        // (and the two without allocatable have 0 cpu), the healthy one is 98 cpus short.
        var huge = await WaitUnschedulableAsync(c, "huge");
        Assert.Equal("Unschedulable", huge.Reason);
        Assert.StartsWith("0/4 nodes are available: 3 Too many pods, 4 Insufficient cpu. preemption: ", huge.Message);
        var nowhere = await WaitUnschedulableAsync(c, "nowhere");
        Assert.Equal("Unschedulable", nowhere.Reason);
        Assert.Equal("0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling..", nowhere.Message);

        // The other scheduler's pod is not touched at all.
        var foreign = await c.CoreV1.ReadNamespacedPodAsync("foreign", "default");
        Assert.True(string.IsNullOrEmpty(foreign.Spec.NodeName));
        Assert.DoesNotContain(foreign.Status?.Conditions ?? [], x => x.Type == "PodScheduled");
        var events = await c.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=foreign");
        Assert.Empty(events.Items);

        // Still alive after all that: a later pod binds, and fixing a broken node makes it usable.
        await SetNodeStatusAsync(c, "no-capacity", new Dictionary<string, ResourceQuantity> { ["cpu"] = new("200"), ["memory"] = new("4Gi"), ["pods"] = new("110") });
        Assert.Equal("no-capacity", (await WaitBoundAsync(c, "huge")).Spec.NodeName);
        await CreatePodAsync(c, Pod("later", cpu: "1500m"));
        Assert.Contains((await WaitBoundAsync(c, "later")).Spec.NodeName, new[] { "healthy", "no-capacity" });
        Assert.False(server.HasExited);
        Assert.DoesNotContain("scheduler stopped", server.Output);
    }
}
