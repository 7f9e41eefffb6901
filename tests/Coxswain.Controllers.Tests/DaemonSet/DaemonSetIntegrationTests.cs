using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Kubelet.Simulated;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Controllers.Tests.DaemonSet;

/// <summary>
/// `cox server --simulated-nodes 3` driven with the real kubectl: a DaemonSet runs one pod per node, follows nodes
/// joining, leaving and being relabelled, and rolls a new image out (and back) through its ControllerRevisions.
/// </summary>
public sealed class DaemonSetIntegrationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static string Manifest(string name, string image, string extraSpec = "") => $"""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: {name}
        spec:
          selector:
            matchLabels:
              app: {name}
          updateStrategy:
            type: RollingUpdate
            rollingUpdate:
              maxUnavailable: 1
          template:
            metadata:
              labels:
                app: {name}
            spec:
        {extraSpec}
              containers:
              - name: main
                image: {image}
        """;

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var value = await probe();
            if (value != null)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            await Task.Delay(250);
        }
    }

    private static async Task<List<string>> ReadyNodesAsync(Kubernetes c, int count) => await WaitForAsync(async () =>
    {
        var nodes = (await c.CoreV1.ListNodeAsync()).Items;
        var ready = nodes.Where(n => n.Status?.Conditions?.Any(x => x is { Type: "Ready", Status: "True" }) == true).Select(n => n.Metadata.Name).Order().ToList();
        return ready.Count == count ? ready : null;
    }, $"{count} Ready nodes");

    /// <summary>The DaemonSet's pods once they are exactly one Running pod on each of <paramref name="nodes"/>.</summary>
    private static Task<List<V1Pod>> WaitForPodsOnAsync(Kubernetes c, string app, IReadOnlyCollection<string> nodes, string? image = null) => WaitForAsync(async () =>
    {
        var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=" + app)).Items;
        var ok = pods.Count == nodes.Count
            && pods.All(p => p.Status?.Phase == "Running" && p.Metadata.DeletionTimestamp == null && (image == null || p.Spec.Containers[0].Image == image))
            && pods.Select(p => p.Spec.NodeName).Order().SequenceEqual(nodes.Order());
        return ok ? pods.ToList() : null;
    }, $"{app} pods Running on {string.Join(",", nodes)}");

    [Fact]
    public async Task RunsOnePodPerNodeAndFollowsNodesJoiningLeavingAndRelabelled()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();
        var nodes = await ReadyNodesAsync(c, 3);

        Assert.Contains("daemonset.apps/agent created", await kubectl.OkAsync("apply -f -", Manifest("agent", "busybox:1.36")));
        var pods = await WaitForPodsOnAsync(c, "agent", nodes);
        // Pinned by node affinity and bound by the scheduler, as upstream does it.
        Assert.All(pods, p => Assert.Equal(p.Spec.NodeName,
            p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchFields[0].Values[0]));
        Assert.All(pods, p => Assert.Contains(p.Spec.Tolerations, t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoExecute"));
        var status = await kubectl.RunAsync("rollout status ds/agent --timeout=80s", timeout: Timeout);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("daemon set \"agent\" successfully rolled out", status.Stdout);
        var numbers = await kubectl.OkAsync("get ds agent -o jsonpath={.status.desiredNumberScheduled},{.status.currentNumberScheduled},{.status.numberReady},{.status.numberAvailable},{.status.updatedNumberScheduled}");
        Assert.Equal("3,3,3,3,3", numbers.Trim());

        // A node joins: it gets a pod.
        using var stop = new CancellationTokenSource();
        var pool = new SimulatedNodePool(c, new SimulatedNodeOptions { Count = 1, NamePrefix = "extra-" }, NullLogger.Instance);
        var running = pool.RunAsync(stop.Token);
        await pool.Registered;
        var extra = Assert.Single(pool.NodeNames);
        await WaitForPodsOnAsync(c, "agent", [.. nodes, extra]);
        stop.Cancel();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }

        // It leaves: its pod goes.
        await kubectl.OkAsync($"delete node {extra}");
        await WaitForAsync(async () =>
        {
            var left = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=agent")).Items;
            return left.Count == 3 && left.All(p => p.Spec.NodeName != extra) ? left : null;
        }, "the pod of the deleted node gone");

        // An untolerated NoExecute taint takes the pod off its node; removing it brings one back.
        await kubectl.OkAsync($"taint node {nodes[1]} dedicated=db:NoExecute");
        await WaitForPodsOnAsync(c, "agent", [nodes[0], nodes[2]]);
        await kubectl.OkAsync($"taint node {nodes[1]} dedicated-");
        await WaitForPodsOnAsync(c, "agent", nodes);

        // A nodeSelector restricts the DaemonSet to labelled nodes, and follows the labels.
        await kubectl.OkAsync("apply -f -", Manifest("edge", "busybox:1.36", "      nodeSelector:\n        role: edge"));
        await WaitForAsync(async () => (await c.AppsV1.ReadNamespacedDaemonSetAsync("edge", "default")).Status?.ObservedGeneration == 1 ? "" : null, "edge observed");
        Assert.Empty((await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=edge")).Items);
        await kubectl.OkAsync($"label node {nodes[0]} role=edge");
        await WaitForPodsOnAsync(c, "edge", [nodes[0]]);
        await kubectl.OkAsync($"label node {nodes[0]} role-");
        await WaitForAsync(async () => (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=edge")).Items.Count == 0 ? "" : null, "edge pod gone");
        var events = await kubectl.OkAsync("get events --field-selector involvedObject.name=edge");
        Assert.Contains("SuccessfulCreate", events);
        Assert.Contains("SuccessfulDelete", events);

        // Deleting the DaemonSet takes its pods and revisions with it (the garbage collector follows the owner references).
        await kubectl.OkAsync("delete ds agent");
        await WaitForAsync(async () =>
        {
            var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=agent")).Items;
            var revisions = (await c.AppsV1.ListNamespacedControllerRevisionAsync("default", labelSelector: "app=agent")).Items;
            return pods.Count == 0 && revisions.Count == 0 ? "" : null;
        }, "agent's pods and revisions gone");
    }

    [Fact]
    public async Task SetImageRollsOutAndRolloutHistoryAndUndoUseTheRevisions()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();
        var nodes = await ReadyNodesAsync(c, 3);

        await kubectl.OkAsync("apply -f -", Manifest("web", "busybox:1.36"));
        await WaitForPodsOnAsync(c, "web", nodes);
        var first = await kubectl.RunAsync("rollout status ds/web --timeout=80s", timeout: Timeout);
        Assert.True(first.ExitCode == 0, first.ToString());

        // While the new image rolls out, an observer never sees more than maxUnavailable (1) node without a Ready pod.
        using var watching = new CancellationTokenSource();
        var mostUnavailable = 0;
        var observer = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                var pods = (await c.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web")).Items;
                var served = pods.Where(p => p.Metadata.DeletionTimestamp == null && p.Status?.Conditions?.Any(x => x is { Type: "Ready", Status: "True" }) == true)
                    .Select(p => p.Spec.NodeName).ToHashSet();
                mostUnavailable = Math.Max(mostUnavailable, nodes.Count(n => !served.Contains(n)));
                await Task.Delay(50);
            }
        });
        Assert.Contains("daemonset.apps/web image updated", await kubectl.OkAsync("set image ds/web main=busybox:1.37"));
        var rolled = await kubectl.RunAsync("rollout status ds/web --timeout=80s", timeout: Timeout);
        Assert.True(rolled.ExitCode == 0, rolled.ToString());
        watching.Cancel();
        await observer;
        Assert.True(mostUnavailable <= 1, $"{mostUnavailable} nodes were without a Ready pod at once");
        Assert.Contains("daemon set \"web\" successfully rolled out", rolled.Stdout);
        var updated = await WaitForPodsOnAsync(c, "web", nodes, "busybox:1.37");
        var revisions = (await c.AppsV1.ListNamespacedControllerRevisionAsync("default", labelSelector: "app=web")).Items;
        Assert.Equal([1L, 2L], revisions.Select(r => r.Revision).Order());
        var current = revisions.Single(r => r.Revision == 2);
        Assert.StartsWith("web-", current.Metadata.Name);
        Assert.All(updated, p => Assert.Equal(current.Metadata.Labels["controller-revision-hash"], p.Metadata.Labels["controller-revision-hash"]));
        // The API server counts template changes in the deprecated annotation, which the pods carry as a label.
        Assert.Equal("2", (await c.AppsV1.ReadNamespacedDaemonSetAsync("web", "default")).Metadata.Annotations["deprecated.daemonset.template.generation"]);
        Assert.All(updated, p => Assert.Equal("2", p.Metadata.Labels["pod-template-generation"]));

        var history = await kubectl.OkAsync("rollout history ds/web");
        Assert.Contains("REVISION", history);
        Assert.Matches(@"(?m)^1\s", history);
        Assert.Matches(@"(?m)^2\s", history);
        Assert.Contains("busybox:1.36", await kubectl.OkAsync("rollout history ds/web --revision=1"));

        Assert.Contains("daemonset.apps/web rolled back", await kubectl.OkAsync("rollout undo ds/web"));
        var back = await kubectl.RunAsync("rollout status ds/web --timeout=80s", timeout: Timeout);
        Assert.True(back.ExitCode == 0, back.ToString());
        await WaitForPodsOnAsync(c, "web", nodes, "busybox:1.36");
        // Going back renumbers the old revision rather than adding one.
        var after = await WaitForAsync(async () =>
        {
            var list = (await c.AppsV1.ListNamespacedControllerRevisionAsync("default", labelSelector: "app=web")).Items;
            return list.Select(r => r.Revision).Order().SequenceEqual([2L, 3L]) ? list : null;
        }, "revisions 2 and 3");
        Assert.Contains("busybox:1.36", await kubectl.OkAsync("rollout history ds/web --revision=3"));
        // kubectl compares the revision's data with the template as it encodes it: the same bytes, so nothing to do.
        Assert.Contains("skipped rollback (current template already matches revision 3)", await kubectl.OkAsync("rollout undo ds/web --to-revision=3"));
    }
}
