using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Kubelet.Simulated;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Kubelet.Tests.NodeLifecycle;

/// <summary>The node lifecycle controller inside `cox server`, with the grace period shortened to 5 s.</summary>
public sealed class NodeLifecycleTests
{
    [Fact]
    public async Task StoppedAgentsNodeGoesUnknownIsTaintedAndItsPodsAreEvicted()
    {
        await using var server = await CoxServer.StartAsync(null, 0, "--node-monitor-grace-period", "00:00:05", "--node-monitor-period", "00:00:01");
        using var client = server.Client();
        using var stop = new CancellationTokenSource();
        var pool = new SimulatedNodePool(client, new SimulatedNodeOptions { Count = 1, NamePrefix = "gone-" }, NullLogger.Instance);
        var run = Task.Run(() => pool.RunAsync(stop.Token));
        await pool.Registered.WaitAsync(TimeSpan.FromSeconds(30));

        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "tolerant" },
            Spec = new V1PodSpec
            {
                NodeName = "gone-0",
                Containers = [new V1Container { Name = "app", Image = "nginx" }],
                Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 2 }],
            },
        }, "default");
        await Until(async () => (await client.CoreV1.ReadNamespacedPodAsync("tolerant", "default")).Status?.Phase == "Running", "pod Running");

        await stop.CancelAsync();
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }

        V1Node node = null!;
        await Until(async () => (node = await client.CoreV1.ReadNodeAsync("gone-0")).Spec.Taints?.Any(t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoExecute") == true, "unreachable taint", 60);
        var ready = node.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("Unknown", ready.Status);
        Assert.Equal("NodeStatusUnknown", ready.Reason);
        Assert.Contains(node.Spec.Taints, t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoSchedule");
        var nodes = await server.Kubectl().RunAsync("get node gone-0 --no-headers");
        Assert.Contains("NotReady", nodes.Stdout);

        // No kubelet is left to finish the deletion, so evicted means deletionTimestamp set (or gone).
        await Until(async () =>
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "metadata.name=tolerant");
            return pods.Items.Count == 0 || pods.Items[0].Metadata.DeletionTimestamp is not null;
        }, "pod evicted", 30);
    }

    private static async Task Until(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(200);
        }
    }
}
