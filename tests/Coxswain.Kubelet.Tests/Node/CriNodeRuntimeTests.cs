using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Node;
using Coxswain.Kubelet.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Kubelet.Tests.Node;

/// <summary>Node status facts from a real containerd (the agent's child). No CNI config and no pods: no network is touched.</summary>
public sealed class CriNodeRuntimeTests : IDisposable
{
    private readonly string _dir = Path.Combine("/tmp", "cox-nrt-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task ContainerdWithoutAPodNetworkMakesTheNodeNotReadyInUpstreamsWords()
    {
        var paths = new AgentPaths(_dir);
        await using var containerd = new ContainerdProcess(paths, NullLogger.Instance);
        await containerd.StartAsync(CancellationToken.None);
        using var cri = CriClient.Connect(paths.ContainerdSocket);

        var facts = await new CriNodeRuntime(cri).ReadAsync(CancellationToken.None);

        Assert.Equal("containerd", facts.Name);
        Assert.NotEqual("", facts.Version);
        Assert.Contains(facts.Conditions, c => c is { Type: RuntimeCondition.RuntimeReady, Status: true });
        var machine = new FakeMachine(FakeMachine.Default);
        var status = NodeStatusBuilder.Status("box", new NodeAgentOptions(), machine.Read(), facts, runtimeDown: false, previous: null, DateTime.UtcNow);
        Assert.Equal($"containerd://{facts.Version}", status.NodeInfo.ContainerRuntimeVersion);
        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("False", ready.Status);
        Assert.Equal("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized", ready.Message);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
