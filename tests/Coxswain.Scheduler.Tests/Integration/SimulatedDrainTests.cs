using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;
using static Coxswain.Scheduler.Tests.Integration.ClusterHelpers;

namespace Coxswain.Scheduler.Tests.Integration;

/// <summary>
/// `cox server --simulated-nodes 3`: the scheduler places pods on the simulated nodes, their kubelets run them, and the
/// real `kubectl drain` empties a node (the simulated kubelet finishes the graceful deletions) until `kubectl uncordon`.
/// </summary>
public sealed class SimulatedDrainTests
{
    [Fact]
    public async Task DrainEmptiesANodeOfSimulatedPodsAndUncordonReopensIt()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--simulated-nodes", "3");
        using var c = server.Client();
        var kubectl = server.Kubectl();
        await WaitForAsync(async () =>
        {
            var nodes = (await c.CoreV1.ListNodeAsync()).Items;
            return nodes.Count(n => n.Status?.Conditions?.Any(x => x is { Type: "Ready", Status: "True" }) == true) == 3 ? nodes : null;
        }, "3 simulated nodes Ready");

        for (var i = 0; i < 6; i++)
        {
            var pod = Pod($"p{i}", cpu: "500m");
            // p0 has an emptyDir and its node is the one drained: drain refuses it without --delete-emptydir-data.
            if (i == 0)
            {
                pod.Spec.Volumes = [new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() }];
                pod.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "scratch", MountPath = "/scratch" }];
            }
            await CreatePodAsync(c, pod);
        }
        var running = await WaitForAsync(async () =>
        {
            var pods = (await c.CoreV1.ListNamespacedPodAsync("default")).Items;
            return pods.Count == 6 && pods.All(p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Spec.NodeName)) ? pods : null;
        }, "6 pods Running");

        var node = running.Single(p => p.Metadata.Name == "p0").Spec.NodeName;
        var onNode = running.Where(p => p.Spec.NodeName == node).Select(p => p.Metadata.Name).ToHashSet();
        var elsewhere = running.Where(p => p.Spec.NodeName != node).Select(p => p.Metadata.Name).ToHashSet();

        var drain = await kubectl.RunAsync($"drain {node} --ignore-daemonsets --delete-emptydir-data --force --timeout=60s", timeout: TimeSpan.FromSeconds(90));
        Assert.True(drain.ExitCode == 0, drain.ToString());
        Assert.Contains($"node/{node} cordoned", drain.Stdout);
        Assert.Contains($"node/{node} drained", drain.Stdout);
        foreach (var name in onNode) Assert.Contains($"pod/{name} evicted", drain.Stdout);

        Assert.True((await c.CoreV1.ReadNodeAsync(node)).Spec.Unschedulable);
        var nodesTable = await kubectl.OkAsync("get nodes --no-headers");
        var line = nodesTable.Split('\n').Single(l => l.StartsWith(node + " ", StringComparison.Ordinal));
        Assert.Contains("Ready,SchedulingDisabled", line);

        // Bare pods are not recreated: the drained ones are gone for good (drain waited for the kubelet to finish
        // their deletion), the others still run where they were.
        var left = (await c.CoreV1.ListNamespacedPodAsync("default")).Items;
        Assert.DoesNotContain(left, p => onNode.Contains(p.Metadata.Name));
        Assert.Equal(elsewhere.Order(), left.Select(p => p.Metadata.Name).Order());
        Assert.All(left, p => Assert.Equal("Running", p.Status.Phase));

        // While cordoned, a pod that can only go there waits; uncordon lets it in.
        await CreatePodAsync(c, Pod("pinned", nodeSelector: new Dictionary<string, string> { [Hostname] = node }));
        var cond = await WaitUnschedulableAsync(c, "pinned");
        Assert.StartsWith("0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector.", cond.Message);
        var uncordon = await kubectl.RunAsync($"uncordon {node}");
        Assert.True(uncordon.ExitCode == 0, uncordon.ToString());
        Assert.Equal($"node/{node} uncordoned\n", uncordon.Stdout);
        Assert.DoesNotContain("SchedulingDisabled", (await kubectl.OkAsync($"get node {node} --no-headers")));
        Assert.Equal(node, (await WaitBoundAsync(c, "pinned")).Spec.NodeName);
        await WaitForAsync(async () => (await c.CoreV1.ReadNamespacedPodAsync("pinned", "default")).Status?.Phase == "Running" ? "" : null, "pinned Running");
    }
}
