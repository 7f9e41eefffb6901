using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;
using static Coxswain.Scheduler.Tests.Integration.ClusterHelpers;

namespace Coxswain.Scheduler.Tests.Integration;

/// <summary>
/// Inter-pod affinity, topology spread and preferred node affinity through the scheduler inside a real `cox server`.
/// Node sizes are chosen so that the resource scores alone would pick a different placement than the rule under test.
/// </summary>
public sealed class AffinityAndSpreadTests
{
    private static V1PodAffinityTerm Term(string app, string topologyKey = Hostname) => new()
    {
        LabelSelector = MatchLabels("app", app),
        TopologyKey = topologyKey,
    };

    private static Dictionary<string, string> App(string app) => new() { ["app"] = app };

    [Fact]
    public async Task RequiredPodAffinityPutsThePodNextToTheMatchingPod()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        // The db pod's node is the fullest one after it binds: the web pod goes there only because of the affinity.
        await CreateNodeAsync(c, "node-1", cpu: "2");
        await CreateNodeAsync(c, "node-2", cpu: "8");
        await CreateNodeAsync(c, "node-3", cpu: "8");
        await CreatePodAsync(c, Pod("db", cpu: "1", labels: App("db")));
        var db = await WaitBoundAsync(c, "db");

        var affinity = new V1Affinity { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("db")] } };
        await CreatePodAsync(c, Pod("web", labels: App("web"), affinity: affinity));
        await CreatePodAsync(c, Pod("web-2", labels: App("web"), affinity: affinity));
        Assert.Equal(db.Spec.NodeName, (await WaitBoundAsync(c, "web")).Spec.NodeName);
        Assert.Equal(db.Spec.NodeName, (await WaitBoundAsync(c, "web-2")).Spec.NodeName);

        // No pod anywhere matches (and the pod does not match its own term): unresolvable, so preemption cannot help.
        var lonely = new V1Affinity { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("cache")] } };
        await CreatePodAsync(c, Pod("needs-cache", labels: App("web"), affinity: lonely));
        var cond = await WaitUnschedulableAsync(c, "needs-cache");
        Assert.Equal("Unschedulable", cond.Reason);
        Assert.Equal("0/3 nodes are available: 3 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..", cond.Message);
    }

    [Fact]
    public async Task RequiredPodAntiAffinitySpreadsReplicasOnePerNode()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        // One big node: without the anti-affinity, the resource scores would stack the replicas on it.
        await CreateNodeAsync(c, "node-1", cpu: "16");
        await CreateNodeAsync(c, "node-2", cpu: "2");
        await CreateNodeAsync(c, "node-3", cpu: "2");
        var affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("replica")] } };
        for (var i = 0; i < 4; i++) await CreatePodAsync(c, Pod($"r{i}", labels: App("replica"), affinity: affinity));

        var result = await WaitForAsync(async () =>
        {
            var pods = (await c.CoreV1.ListNamespacedPodAsync("default")).Items;
            var bound = pods.Where(p => !string.IsNullOrEmpty(p.Spec.NodeName)).ToList();
            var waiting = pods.Where(p => p.Status?.Conditions?.Any(x => x is { Type: "PodScheduled", Status: "False" }) == true).ToList();
            return bound.Count == 3 && waiting.Count == 1 ? new { bound, pending = waiting[0] } : null;
        }, "3 bound and 1 unschedulable");
        Assert.Equal(["node-1", "node-2", "node-3"], result.bound.Select(p => p.Spec.NodeName).Order());

        Assert.True(string.IsNullOrEmpty(result.pending.Spec.NodeName));
        Assert.Equal("Pending", result.pending.Status.Phase);
        var cond = result.pending.Status.Conditions.Single(x => x.Type == "PodScheduled");
        Assert.Equal("Unschedulable", cond.Reason);
        // Upstream wording: the filter is Unschedulable (not unresolvable), so preemption is tried; equal priorities give no victims.
        Assert.Equal("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..", cond.Message);
        var ev = await WaitEventAsync(c, result.pending.Metadata.Name, "FailedScheduling");
        Assert.Equal(cond.Message, ev.Message);

        // Deleting one replica frees its node for the pending one.
        var victim = result.bound[0];
        await c.CoreV1.DeleteNamespacedPodAsync(victim.Metadata.Name, "default", new V1DeleteOptions { GracePeriodSeconds = 0 });
        Assert.Equal(victim.Spec.NodeName, (await WaitBoundAsync(c, result.pending.Metadata.Name)).Spec.NodeName);
    }

    [Fact]
    public async Task TopologySpreadPutsThreePodsInEachOfTwoZones()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        // Zone a is much bigger: least-allocated scoring alone would put most pods there.
        await CreateNodeAsync(c, "a-1", cpu: "16", labels: new Dictionary<string, string> { [Zone] = "zone-a" });
        await CreateNodeAsync(c, "a-2", cpu: "16", labels: new Dictionary<string, string> { [Zone] = "zone-a" });
        await CreateNodeAsync(c, "b-1", cpu: "2", labels: new Dictionary<string, string> { [Zone] = "zone-b" });
        await CreateNodeAsync(c, "b-2", cpu: "2", labels: new Dictionary<string, string> { [Zone] = "zone-b" });
        for (var i = 0; i < 6; i++)
        {
            var pod = Pod($"s{i}", labels: App("spread"));
            pod.Spec.TopologySpreadConstraints =
            [
                new V1TopologySpreadConstraint { MaxSkew = 1, TopologyKey = Zone, WhenUnsatisfiable = "DoNotSchedule", LabelSelector = MatchLabels("app", "spread") },
            ];
            await CreatePodAsync(c, pod);
        }

        var bound = await WaitForAsync(async () =>
        {
            var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=spread")).Items;
            return pods.All(p => !string.IsNullOrEmpty(p.Spec.NodeName)) && pods.Count == 6 ? pods : null;
        }, "6 pods bound");
        Assert.Equal(3, bound.Count(p => p.Spec.NodeName.StartsWith("a-", StringComparison.Ordinal)));
        Assert.Equal(3, bound.Count(p => p.Spec.NodeName.StartsWith("b-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PreferredNodeAffinityPicksThePreferredNodeWhenItFits()
    {
        await using var server = await CoxServer.StartAsync();
        using var c = server.Client();
        // The preferred node is the smallest: resource scores alone would pick another one.
        await CreateNodeAsync(c, "big-1", cpu: "16");
        await CreateNodeAsync(c, "big-2", cpu: "16");
        await CreateNodeAsync(c, "ssd-1", cpu: "1", labels: new Dictionary<string, string> { ["disk"] = "ssd" });
        var prefersSsd = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PreferredSchedulingTerm
                    {
                        Weight = 50,
                        Preference = new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "disk", OperatorProperty = "In", Values = ["ssd"] }] },
                    },
                ],
            },
        };
        await CreatePodAsync(c, Pod("fits", cpu: "500m", affinity: prefersSsd));
        Assert.Equal("ssd-1", (await WaitBoundAsync(c, "fits")).Spec.NodeName);

        // A preference is not a requirement: a pod that does not fit there goes elsewhere instead of waiting.
        await CreatePodAsync(c, Pod("too-big", cpu: "2", affinity: prefersSsd));
        Assert.StartsWith("big-", (await WaitBoundAsync(c, "too-big")).Spec.NodeName);
    }
}
