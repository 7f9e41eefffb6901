using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Kubelet.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.RealNode;

/// <summary>
/// One `cox server` with its local real node (kubelet, containerd, registry) inside a test-made network namespace,
/// shared by the tests of a class (each uses its own namespace of objects). Disposed, it leaves nothing behind.
/// </summary>
public sealed class RealCluster : IAsyncLifetime
{
    public const string NodeName = "node-1";
    private NodeHost? _host;

    public NodeHost Host => _host ?? throw new InvalidOperationException("not started");
    public Kubectl Kubectl => Host.Kubectl();

    public async Task InitializeAsync()
    {
        _host = await NodeHost.StartAsync(["--node-name", NodeName, "--node-ip", NodeHost.NodeIp], passCgroupRoot: true);
        await WaitAsync(async () => (await Kubectl.RunAsync($"get node {NodeName} --no-headers")).Stdout.Contains(" Ready "), "the node to be Ready");
    }

    public async Task DisposeAsync()
    {
        if (_host != null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>A fresh namespace for one test.</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await Kubectl.OkAsync($"create namespace {name}");
        return name;
    }

    public async Task<V1Pod> PodAsync(string ns, string name)
    {
        using var client = Host.Client();
        return await client.CoreV1.ReadNamespacedPodAsync(name, ns);
    }

    /// <summary>Polls until the pod satisfies <paramref name="condition"/>; on timeout fails with pods, events and the server's log.</summary>
    public async Task<V1Pod> WaitForPodAsync(string ns, string name, Func<V1Pod, bool> condition, string what, int seconds = 90)
    {
        V1Pod pod = null!;
        await WaitAsync(async () =>
        {
            pod = await PodAsync(ns, name);
            return condition(pod);
        }, $"pod {ns}/{name}: {what}", seconds);
        return pod;
    }

    public async Task WaitAsync(Func<Task<bool>> condition, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (k8s.Autorest.HttpOperationException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                var pods = await Kubectl.RunAsync("get pods -A -o wide");
                var events = await Kubectl.RunAsync("get events -A --sort-by=.lastTimestamp");
                var log = Host.Output;
                Assert.Fail($"timed out waiting for {what}\n{pods.Stdout}\n{events.Stdout}\n--- server ---\n{log[^Math.Min(log.Length, 8000)..]}");
            }
            await Task.Delay(250);
        }
    }
}
