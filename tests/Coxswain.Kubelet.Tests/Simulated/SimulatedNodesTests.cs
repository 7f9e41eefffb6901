using System.Diagnostics;
using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Kubelet.Simulated;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Coxswain.Kubelet.Tests.Simulated;

public sealed class ServerFixture : IAsyncLifetime
{
    public CoxServer Server { get; private set; } = null!;
    public Task InitializeAsync() => Task.Run(async () => Server = await CoxServer.StartAsync());
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Simulated nodes (in-process pool) against a real `cox server`, checked with kubectl and the C# client.</summary>
public sealed class SimulatedNodesTests(ServerFixture fixture, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private sealed class Agent : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;
        public SimulatedNodePool Pool { get; }

        public Agent(Kubernetes client, SimulatedNodeOptions options)
        {
            Pool = new SimulatedNodePool(client, options, NullLogger.Instance);
            _run = Task.Run(() => Pool.RunAsync(_stop.Token));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _run;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(100);
        }
    }

    private static V1Pod Pod(string name, string node, string? restartPolicy = null, Dictionary<string, string>? annotations = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
        Spec = new V1PodSpec
        {
            NodeName = node,
            RestartPolicy = restartPolicy,
            Containers = [new V1Container { Name = "app", Image = "nginx:1.27" }],
        },
    };

    [Fact]
    public async Task ThreeNodesRegisterReadyWithLeases()
    {
        using var client = fixture.Server.Client();
        await using var agent = new Agent(client, new SimulatedNodeOptions { Count = 3, NamePrefix = "three-" });
        await agent.Pool.Registered.WaitAsync(TimeSpan.FromSeconds(30));

        var result = await fixture.Server.Kubectl().RunAsync("get nodes -l type=kwok --no-headers");
        Assert.Equal(0, result.ExitCode);
        foreach (var name in new[] { "three-0", "three-1", "three-2" })
        {
            var line = result.Stdout.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            Assert.Contains(" Ready ", line);
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, "kube-node-lease");
            Assert.Equal(name, lease.Spec.HolderIdentity);
            Assert.Equal(40, lease.Spec.LeaseDurationSeconds);
        }
        var node = await client.CoreV1.ReadNodeAsync("three-1");
        Assert.Equal("8", node.Status.Allocatable["cpu"].ToString());
        Assert.Equal("linux", node.Metadata.Labels["kubernetes.io/os"]);
        Assert.Contains(node.Status.Addresses, a => a.Type == "InternalIP" && a.Address.StartsWith("10.", StringComparison.Ordinal));
        Assert.StartsWith("v1.32", node.Status.NodeInfo.KubeletVersion);
    }

    [Fact]
    public async Task BoundPodRunsWithAnIpAndIsRemovedWhenDeleted()
    {
        using var client = fixture.Server.Client();
        await using var agent = new Agent(client, new SimulatedNodeOptions { Count = 2, NamePrefix = "run-" });
        await agent.Pool.Registered.WaitAsync(TimeSpan.FromSeconds(30));

        await client.CoreV1.CreateNamespacedPodAsync(Pod("web", "run-1"), "default");
        V1Pod pod = null!;
        await Eventually(async () => (pod = await client.CoreV1.ReadNamespacedPodAsync("web", "default")).Status?.Phase == "Running", "pod Running");
        Assert.False(string.IsNullOrEmpty(pod.Status.PodIP));
        Assert.Equal(pod.Status.PodIP, pod.Status.PodIPs.Single().Ip);
        Assert.Contains(pod.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
        var container = pod.Status.ContainerStatuses.Single();
        Assert.True(container.Ready);
        Assert.NotNull(container.State.Running);
        Assert.StartsWith("simulated://", container.ContainerID);

        var delete = await fixture.Server.Kubectl().RunAsync("delete pod web --timeout=30s");
        Assert.Equal(0, delete.ExitCode);
        var pods = await client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "metadata.name=web");
        Assert.Empty(pods.Items);
    }

    [Fact]
    public async Task FailingPodFollowsRestartPolicy()
    {
        using var client = fixture.Server.Client();
        await using var agent = new Agent(client, new SimulatedNodeOptions { Count = 1, NamePrefix = "fail-" });
        await agent.Pool.Registered.WaitAsync(TimeSpan.FromSeconds(30));
        var exit = new Dictionary<string, string> { ["coxswain.dev/simulate-exit-code"] = "3" };

        await client.CoreV1.CreateNamespacedPodAsync(Pod("once", "fail-0", "Never", exit), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("again", "fail-0", "Always", exit), "default");
        V1Pod once = null!, again = null!;
        await Eventually(async () => (once = await client.CoreV1.ReadNamespacedPodAsync("once", "default")).Status?.Phase == "Failed", "pod Failed");
        Assert.Equal(3, once.Status.ContainerStatuses.Single().State.Terminated.ExitCode);
        await Eventually(async () => (again = await client.CoreV1.ReadNamespacedPodAsync("again", "default")).Status?.ContainerStatuses?.Single().RestartCount >= 1, "container restarted");
        Assert.Equal("Running", again.Status.Phase);
        Assert.Equal(3, again.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode);
    }

    [Fact]
    public async Task ExitCodeZeroCompletesUnlessRestartPolicyIsAlways()
    {
        using var client = fixture.Server.Client();
        await using var agent = new Agent(client, new SimulatedNodeOptions { Count = 1, NamePrefix = "done-" });
        await agent.Pool.Registered.WaitAsync(TimeSpan.FromSeconds(30));
        var exit = new Dictionary<string, string> { ["coxswain.dev/simulate-exit-code"] = "0" };

        await client.CoreV1.CreateNamespacedPodAsync(Pod("never", "done-0", "Never", exit), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("onfailure", "done-0", "OnFailure", exit), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("always", "done-0", "Always", exit), "default");
        foreach (var name in new[] { "never", "onfailure" })
        {
            V1Pod pod = null!;
            await Eventually(async () => (pod = await client.CoreV1.ReadNamespacedPodAsync(name, "default")).Status?.Phase == "Succeeded", name + " Succeeded");
            var terminated = pod.Status.ContainerStatuses.Single().State.Terminated;
            Assert.Equal((0, "Completed"), (terminated.ExitCode, terminated.Reason));
        }
        V1Pod always = null!;
        await Eventually(async () => (always = await client.CoreV1.ReadNamespacedPodAsync("always", "default")).Status?.ContainerStatuses?.Single().RestartCount >= 1, "container restarted");
        Assert.Equal("Running", always.Status.Phase);
        Assert.Equal((0, "Completed"), (always.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode, always.Status.ContainerStatuses.Single().LastState.Terminated.Reason));
    }

    [Fact]
    public async Task AThousandNodesRegisterInOneProcess()
    {
        using var client = fixture.Server.Client();
        var clock = Stopwatch.StartNew();
        await using var agent = new Agent(client, new SimulatedNodeOptions { Count = 1000, NamePrefix = "scale-" });
        await agent.Pool.Registered.WaitAsync(TimeSpan.FromMinutes(5));
        output.WriteLine($"1000 simulated nodes registered (node + status + lease) in {clock.ElapsedMilliseconds} ms");
        var nodes = await client.CoreV1.ListNodeAsync(labelSelector: "type=kwok");
        Assert.Equal(1000, nodes.Items.Count(n => n.Metadata.Name.StartsWith("scale-", StringComparison.Ordinal)));
    }
}
