using Coxswain.Kubelet.Runtime;
using Coxswain.Kubelet.Tests.Harness;

namespace Coxswain.Kubelet.Tests.RealNode;

/// <summary>A real node whose agent (`cox agent`) restarts, and whose containerd dies under it: pods keep running.</summary>
public sealed class AgentRecoveryTests
{
    [Fact]
    public async Task PodsKeepRunningAcrossAnAgentRestartAndAContainerdCrash()
    {
        await using var host = await NodeHost.StartAsync(["--disable-agent"]);
        var kubectl = host.Kubectl();
        var agent = host.StartRealAgent("node-1", "--registry", "127.0.0.1:5000");
        await host.UntilNodeReadyAsync();
        await kubectl.OkAsync("run keeper --image=registry.k8s.io/pause:3.10 --restart=Always");
        string Container() => kubectl.RunAsync("get pod keeper -o jsonpath={.status.containerStatuses[0].containerID}").Result.Stdout;
        await host.UntilPodPhaseAsync("keeper", "Running");
        var before = Container();

        // The agent stops (SIGTERM) and comes back: the pod is adopted, not restarted.
        await agent.StopAsync();
        agent = host.StartRealAgent("node-1", "--registry", "127.0.0.1:5000");
        await agent.WaitForOutputAsync("running pods through CRI", TimeSpan.FromSeconds(60));
        await Task.Delay(3000); // a few relists and syncs
        Assert.Equal(before, Container());
        Assert.Equal("0", (await kubectl.OkAsync("get pod keeper -o jsonpath={.status.containerStatuses[0].restartCount}")).Trim());

        // containerd is killed under the agent: the agent starts it again, the pod is still the same container.
        var paths = new AgentPaths(host.AgentDataDir);
        var pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(paths.ContainerdDir, "containerd.pid")));
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        await agent.WaitForOutputAsync("starting it again", TimeSpan.FromSeconds(30));
        await host.UntilAsync(async () => int.Parse(await File.ReadAllTextAsync(Path.Combine(paths.ContainerdDir, "containerd.pid"))) != pid, "a new containerd");
        await kubectl.OkAsync("run after --image=registry.k8s.io/pause:3.10 --restart=Never");
        await host.UntilPodPhaseAsync("after", "Running");
        Assert.Equal(before, Container());
        Assert.Equal("Running", (await kubectl.OkAsync("get pod keeper -o jsonpath={.status.phase}")).Trim());
    }

    [Fact]
    public async Task AnAgentCanUseAContainerdItDidNotStart()
    {
        await using var host = await NodeHost.StartAsync(["--disable-agent"]);
        var kubectl = host.Kubectl();
        var paths = new AgentPaths(host.AgentDataDir);
        Directory.CreateDirectory(paths.ContainerdDir);
        await File.WriteAllTextAsync(paths.ContainerdConfig, ContainerdConfig.Render(paths));
        var containerd = host.StartInNode(["containerd", "--config", paths.ContainerdConfig]);
        // Joined with --server and --token, as on another machine (no kubeconfig).
        var agent = host.StartInNode(["dotnet", Coxswain.ApiServer.Tests.Harness.CoxServer.CoxDll, "agent", "--server", host.Url, "--token", host.Server.Token,
            "--insecure-skip-tls-verify", "--data-dir", host.AgentDataDir, "--cgroup-root", host.CgroupRoot, "--node-name", "node-1", "--node-ip", NodeHost.NodeIp,
            "--registry", "127.0.0.1:5000", "--container-runtime-endpoint", "unix://" + paths.ContainerdSocket]);
        await host.UntilNodeReadyAsync();
        await kubectl.OkAsync("run guest --image=busybox --restart=Never -- sleep 3600");
        await host.UntilPodPhaseAsync("guest", "Running");
        Assert.DoesNotContain("is serving CRI", agent.Output); // it did not start a containerd of its own

        // Stopping the agent leaves that containerd alone.
        await agent.StopAsync();
        Assert.False(containerd.HasExited);
    }
}
