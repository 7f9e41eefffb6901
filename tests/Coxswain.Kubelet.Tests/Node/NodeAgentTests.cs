using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Client.Events;
using Coxswain.Kubelet.Node;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Kubelet.Tests.Node;

public sealed class NodeServerFixture : IAsyncLifetime
{
    public CoxServer Server { get; private set; } = null!;
    public Task InitializeAsync() => Task.Run(async () => Server = await CoxServer.StartAsync());
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>A real node's agent (machine facts from this machine, a fake runtime) against a real `cox server`, checked with kubectl.</summary>
public sealed class NodeAgentTests(NodeServerFixture fixture) : IClassFixture<NodeServerFixture>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cox-node-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private sealed class RunningAgent : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;
        public NodeAgent Agent { get; }

        public RunningAgent(Kubernetes client, INodeRuntime runtime, IMachineReader machine, NodeAgentOptions options, IEventRecorder? events = null)
        {
            Agent = new NodeAgent(client, runtime, machine, options, NullLogger.Instance, events);
            _run = Task.Run(() => Agent.RunAsync(_stop.Token));
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

    private NodeAgentOptions Options(string name) => new()
    {
        NodeName = name,
        Labels = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "zone-a" },
        CniConfDir = Path.Combine(_dir, "net.d"),
        CniIpamDir = Path.Combine(_dir, "cni-ipam"),
        LeaseDurationSeconds = 4, // renewed every second, so the test sees renewals quickly
    };

    private static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(200);
        }
    }

    private async Task<string> NodeLineAsync(string name, string extra = "")
    {
        var output = await fixture.Server.Kubectl().OkAsync($"get node {name} --no-headers {extra}");
        return output.Trim();
    }

    [Fact]
    public async Task TheNodeGetsAPodCidrWritesItsNetworkAndShowsReadyWithMachineFacts()
    {
        using var client = fixture.Server.Client();
        var runtime = new FakeRuntime { ConfDir = Path.Combine(_dir, "net.d") };
        runtime.Images.Add(new RuntimeImage(["docker.io/library/busybox:latest"], ["docker.io/library/busybox@sha256:0123"], 2_000_000));
        var machine = new LinuxMachineReader(_dir);
        var facts = machine.Read();
        await using var events = new EventRecorder(client, "kubelet", "real-ready");
        await using var agent = new RunningAgent(client, runtime, machine, Options("real-ready"), events);
        await agent.Agent.Registered.WaitAsync(TimeSpan.FromSeconds(30));

        // The control plane assigns the podCIDR; the agent writes the conflist, and the runtime's network comes up.
        var cidr = await agent.Agent.PodCidr.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("10.42.", cidr);
        Assert.Contains($"\"subnet\": \"{cidr}\"", await File.ReadAllTextAsync(Path.Combine(_dir, "net.d", CniConfig.FileName)));
        await Eventually(async () => (await NodeLineAsync("real-ready")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == "Ready", "node Ready");

        var wide = await NodeLineAsync("real-ready", "-o wide");
        Assert.Contains("v1.32.0", wide);
        Assert.Contains($" {facts.DefaultIPv4 ?? "127.0.0.1"} ", wide);
        Assert.Contains(facts.OsImage, wide);
        Assert.Contains(facts.KernelVersion, wide);
        Assert.EndsWith("containerd://1.6.20~ds1", wide);

        var node = await client.CoreV1.ReadNodeAsync("real-ready");
        Assert.Equal("zone-a", node.Metadata.Labels["topology.kubernetes.io/zone"]);
        Assert.Equal("real-ready", node.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal(facts.Cpus.ToString(), node.Status.Capacity["cpu"].ToString());
        Assert.Equal("110", node.Status.Capacity["pods"].ToString());
        Assert.Equal(facts.BootId, node.Status.NodeInfo.BootID);
        Assert.Equal(["docker.io/library/busybox@sha256:0123", "docker.io/library/busybox:latest"], node.Status.Images.Single().Names);
        Assert.Equal(10250, node.Status.DaemonEndpoints.KubeletEndpoint.Port);

        // The lease is owned by the Node and renewed.
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("real-ready", NodeLease.Namespace);
        Assert.Equal(("real-ready", 4), (lease.Spec.HolderIdentity, lease.Spec.LeaseDurationSeconds));
        Assert.Equal(node.Metadata.Uid, lease.Metadata.OwnerReferences.Single().Uid);
        var firstRenew = lease.Spec.RenewTime;
        await Eventually(async () => (await client.CoordinationV1.ReadNamespacedLeaseAsync("real-ready", NodeLease.Namespace)).Spec.RenewTime > firstRenew, "lease renewed");

        // Upstream's node status events: the initial conditions, then NotReady (no pod network yet) turning Ready.
        await events.FlushAsync();
        var described = await fixture.Server.Kubectl().OkAsync("get events -n default --field-selector involvedObject.name=real-ready -o jsonpath='{range .items[*]}{.reason}={.message};{end}'");
        foreach (var reason in new[] { "NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID", "NodeNotReady", "NodeReady" })
        {
            Assert.Contains($"{reason}=Node real-ready status is now: {reason};", described);
        }
    }

    [Fact]
    public async Task ARuntimeThatGoesDownMakesTheNodeNotReadyUntilItIsBack()
    {
        using var client = fixture.Server.Client();
        var runtime = new FakeRuntime { NetworkReady = true };
        await using var agent = new RunningAgent(client, runtime, new FakeMachine(FakeMachine.Default), Options("real-flaky"));
        await agent.Agent.Registered.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually(async () => (await NodeLineAsync("real-flaky")).Contains(" Ready "), "node Ready");
        var readySince = Ready(await client.CoreV1.ReadNodeAsync("real-flaky")).LastTransitionTime;

        runtime.Down = true;
        agent.Agent.RequestStatusUpdate();
        await Eventually(async () => (await NodeLineAsync("real-flaky")).Contains(" NotReady "), "node NotReady");
        var notReady = Ready(await client.CoreV1.ReadNodeAsync("real-flaky"));
        Assert.Equal(("KubeletNotReady", "container runtime is down"), (notReady.Reason, notReady.Message));
        Assert.True(notReady.LastTransitionTime > readySince);

        runtime.Down = false;
        await Eventually(async () => (await NodeLineAsync("real-flaky")).Contains(" Ready "), "node Ready again");
    }

    [Fact]
    public async Task ARestartedAgentTakesTheExistingNodeKeepingForeignLabelsAndItsPodCidr()
    {
        using var client = fixture.Server.Client();
        var runtime = new FakeRuntime { NetworkReady = true };
        var machine = new FakeMachine(FakeMachine.Default);
        string uid, cidr;
        await using (var first = new RunningAgent(client, runtime, machine, Options("real-restart")))
        {
            cidr = await first.Agent.PodCidr.WaitAsync(TimeSpan.FromSeconds(30));
            uid = (await client.CoreV1.ReadNodeAsync("real-restart")).Metadata.Uid;
        }
        var kubectl = fixture.Server.Kubectl();
        await kubectl.OkAsync("label node real-restart team=blue");
        await kubectl.OkAsync("label node real-restart kubernetes.io/arch=wrong --overwrite");

        await using var second = new RunningAgent(client, runtime, machine, Options("real-restart"));
        await second.Agent.Registered.WaitAsync(TimeSpan.FromSeconds(30));

        var node = await client.CoreV1.ReadNodeAsync("real-restart");
        Assert.Equal(uid, node.Metadata.Uid);
        Assert.Equal("blue", node.Metadata.Labels["team"]);
        Assert.Equal("amd64", node.Metadata.Labels["kubernetes.io/arch"]);
        Assert.Equal(cidr, node.Spec.PodCIDR);
        Assert.Equal(cidr, await second.Agent.PodCidr.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task ANodeDeletedUnderTheAgentIsRegisteredAgainWithItsNewPodCidrWrittenOut()
    {
        using var client = fixture.Server.Client();
        var runtime = new FakeRuntime { NetworkReady = true };
        await using var agent = new RunningAgent(client, runtime, new FakeMachine(FakeMachine.Default), Options("real-deleted"));
        var first = await agent.Agent.PodCidr.WaitAsync(TimeSpan.FromSeconds(30));
        var oldUid = (await client.CoreV1.ReadNodeAsync("real-deleted")).Metadata.Uid;

        await fixture.Server.Kubectl().OkAsync("delete node real-deleted");

        // The control plane hands out the next free subnet, not the one just freed: the conflist must follow.
        var conflist = Path.Combine(_dir, "net.d", CniConfig.FileName);
        await Eventually(async () =>
        {
            var node = (await client.CoreV1.ListNodeAsync(fieldSelector: "metadata.name=real-deleted")).Items.SingleOrDefault();
            return node is not null && node.Metadata.Uid != oldUid && node.Spec?.PodCIDR is { } cidr && cidr != first
                && (await File.ReadAllTextAsync(conflist)).Contains($"\"subnet\": \"{cidr}\"");
        }, "node registered again with a new podCIDR in the CNI config");
        await Eventually(async () => (await NodeLineAsync("real-deleted")).Contains(" Ready "), "node Ready again");
    }

    private static V1NodeCondition Ready(V1Node node) => node.Status.Conditions.Single(c => c.Type == "Ready");
}
