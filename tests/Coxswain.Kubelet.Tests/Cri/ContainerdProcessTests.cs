using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Kubelet.Tests.Cri;

/// <summary>containerd as the agent's child, spoken to over CRI. No pods run here, so no network is touched.</summary>
public sealed class ContainerdProcessTests : IDisposable
{
    private readonly string _dir = Path.Combine("/tmp", "cox-ctd-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task StartsContainerdServingCriAndRestartsItWhenItDies()
    {
        var paths = new AgentPaths(_dir);
        await using var containerd = new ContainerdProcess(paths, NullLogger.Instance);
        await containerd.StartAsync(CancellationToken.None);
        using var cri = CriClient.Connect(paths.ContainerdSocket);

        var version = await cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" });
        Assert.Equal("containerd", version.RuntimeName);
        Assert.Equal("v1", version.RuntimeApiVersion);
        var status = await cri.Runtime.StatusAsync(new StatusRequest());
        var runtimeReady = status.Status.Conditions.Single(c => c.Type == "RuntimeReady");
        Assert.True(runtimeReady.Status);
        // No CNI config is written yet: the network is not ready, with containerd's reason.
        var networkReady = status.Status.Conditions.Single(c => c.Type == "NetworkReady");
        Assert.False(networkReady.Status);
        Assert.Equal("NetworkPluginNotReady", networkReady.Reason);

        var restarted = new TaskCompletionSource();
        containerd.Restarted += () => restarted.TrySetResult();
        var pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(paths.ContainerdDir, "containerd.pid")));
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        await restarted.Task.WaitAsync(TimeSpan.FromSeconds(60));
        version = await cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" });
        Assert.Equal("containerd", version.RuntimeName);
        Assert.NotEqual(pid, int.Parse(await File.ReadAllTextAsync(Path.Combine(paths.ContainerdDir, "containerd.pid"))));
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
