using Coxswain.Kubelet.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.RealNode;

/// <summary>Real pods on the local node of a `cox server` that runs inside a test-made network namespace.</summary>
public sealed class RealPodTests
{
    private static Task<NodeHost> StartClusterAsync() =>
        NodeHost.StartAsync(["--node-name", "node-1", "--node-ip", NodeHost.NodeIp], passCgroupRoot: true);

    [Fact]
    public async Task ABusyboxPodRunsGetsAnIpAndIsDeletedGracefully()
    {
        await using var host = await StartClusterAsync();
        var kubectl = host.Kubectl();
        await WaitAsync(host, async () => (await kubectl.RunAsync("get nodes node-1 --no-headers")).Stdout.Contains(" Ready "), "node-1 Ready");
        await kubectl.OkAsync("run web --image=busybox --restart=Never -- sh -c 'echo hello from the pod; sleep 3600'");
        using var client = host.Client();
        V1Pod pod = null!;
        await WaitAsync(host, async () =>
        {
            pod = await client.CoreV1.ReadNamespacedPodAsync("web", "default");
            return pod.Status?.Phase == "Running";
        }, "pod web Running");
        Assert.StartsWith("10.42.", pod.Status.PodIP);
        Assert.Equal(NodeHost.NodeIp, pod.Status.HostIP);
        var container = Assert.Single(pod.Status.ContainerStatuses);
        Assert.True(container.Ready);
        Assert.StartsWith("containerd://", container.ContainerID);
        Assert.Contains("sha256:", container.ImageID);
        Assert.Equal("BestEffort", pod.Status.QosClass);

        await kubectl.OkAsync("delete pod web --wait=true --timeout=60s");
        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync("default")).Items);
    }

    internal static async Task WaitAsync(NodeHost host, Func<Task<bool>> condition, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var kubectl = host.Kubectl();
                var pods = await kubectl.RunAsync("get pods -A -o wide");
                var events = await kubectl.RunAsync("get events -A");
                Assert.Fail($"timed out waiting for {what}\n{pods.Stdout}\n{events.Stdout}\n--- server ---\n{host.Output[^Math.Min(host.Output.Length, 6000)..]}");
            }
            await Task.Delay(250);
        }
    }
}
