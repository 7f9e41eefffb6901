using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Runtime;

namespace Coxswain.Kubelet.Tests.Harness;

/// <summary>
/// A real pod (containerd, runc, CNI bridge) inside a test node, killed without any orderly stop, as
/// after a crashed test: the cleanup must still remove the shim, the container, its network, cgroups,
/// mounts and the files containerd writes outside the data dir.
/// </summary>
public sealed class NodeHostPodTests
{
    private const string PodSubnet = "10.244.7";

    [Fact]
    public async Task AfterContainerdAndTheShimWereKilledThePodsLeftoversAreGoneAfterDispose()
    {
        var host = await NodeHost.StartAsync(["--disable-agent"]); // this test runs its own containerd
        var harnessDir = host.HarnessDir;
        IReadOnlySet<int> processes;
        string shimSocket;
        try
        {
            var paths = new AgentPaths(host.AgentDataDir);
            StartContainerd(host, paths);
            using var cri = CriClient.Connect(paths.ContainerdSocket);
            await WaitForCriAsync(cri, host);
            var archive = Path.Combine(harnessDir, "sleeper.tar");
            SleeperImage.WriteArchive(archive, ContainerdConfig.DefaultSandboxImage);
            HostCommand.Ok("ctr", "-a", paths.ContainerdSocket, "-n", "k8s.io", "images", "import", archive);

            var sandboxConfig = new PodSandboxConfig
            {
                Metadata = new PodSandboxMetadata { Name = "web", Uid = "uid-web", Namespace = "default" },
                Hostname = "web",
                LogDirectory = paths.PodLogDirectory("default", "web", "uid-web"),
                Linux = new LinuxPodSandboxConfig { CgroupParent = host.CgroupRoot + "/poduid-web" },
            };
            var sandbox = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandboxConfig })).PodSandboxId;
            var container = (await cri.Runtime.CreateContainerAsync(new CreateContainerRequest
            {
                PodSandboxId = sandbox,
                SandboxConfig = sandboxConfig,
                Config = new ContainerConfig
                {
                    Metadata = new ContainerMetadata { Name = "httpd" },
                    Image = new ImageSpec { Image = ContainerdConfig.DefaultSandboxImage },
                    Command = { "/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/bin" },
                    LogPath = "httpd/0.log",
                },
            })).ContainerId;
            await cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = container });
            var podIp = (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandbox })).Status.Network.Ip;
            Assert.StartsWith(PodSubnet + ".", podIp);

            // The pod IP answers from inside the node only.
            using var http = host.Http();
            var response = await RetryAsync(() => http.GetAsync($"http://{podIp}:8080/busybox"));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);

            processes = host.Processes();
            Assert.Contains(processes, pid => TestNodeName.ProcessCommand(pid) == "containerd-shim");
            Assert.Contains(processes, pid => TestNodeName.ProcessCommand(pid) == "busybox"); // the container, found through its cgroup
            Assert.Contains(CniResults(), r => r.Contains(harnessDir + "/", StringComparison.Ordinal));
            shimSocket = ShimSocket(paths);
            Assert.True(File.Exists(shimSocket), shimSocket);
            // containerd's mounts (rootfs overlays, the pod's netns file) stay in the node's mount namespace.
            Assert.Empty(TestNodeCleanup.MountsUnder(harnessDir));
            var innerMounts = await host.ExecInNamespacesOfAsync(Assert.Single(host.StartedProcesses), $"grep -c ' {harnessDir}/' /proc/self/mountinfo");
            Assert.True(int.Parse(innerMounts.Stdout.Trim()) >= 2, innerMounts.ToString());

            // As after a crash: containerd and the shim die without cleaning up; the container lives on.
            foreach (var pid in processes.Where(pid => TestNodeName.ProcessCommand(pid) is "containerd" or "containerd-shim"))
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
            }
            WaitUntil(() => !host.Processes().Any(pid => TestNodeName.ProcessCommand(pid) is "containerd" or "containerd-shim"));
            Assert.True(File.Exists(shimSocket), "a killed shim leaves its socket");
            Assert.Contains(host.Processes(), pid => TestNodeName.ProcessCommand(pid) == "busybox");
        }
        finally
        {
            await host.DisposeAsync();
        }

        Assert.All(processes, pid => Assert.Null(TestNodeName.ProcessStartTime(pid)));
        Assert.DoesNotContain(CniResults(), r => r.Contains(harnessDir + "/", StringComparison.Ordinal));
        Assert.False(File.Exists(shimSocket));
        Assert.Empty(TestNodeCleanup.CgroupDirs(host.CgroupRoot));
        Assert.Empty(TestNodeCleanup.MountsUnder(harnessDir));
        Assert.False(Directory.Exists(harnessDir));
        Assert.DoesNotContain(host.NetnsName, HostCommand.Ok("ip", "netns", "list"));
    }

    [Fact]
    public async Task TheLocalNodesPodsStillRunningAtDisposeAreGoneAfterIt()
    {
        var host = await NodeHost.StartAsync(["--node-name", "node-1", "--node-ip", NodeHost.NodeIp], passCgroupRoot: true);
        var harnessDir = host.HarnessDir;
        IReadOnlySet<int> processes;
        try
        {
            var kubectl = host.Kubectl();
            await WaitAsync(host, async () => (await kubectl.RunAsync("get nodes node-1 --no-headers")).Stdout.Contains(" Ready "), "node-1 Ready");
            await kubectl.OkAsync("run sleeper --image=busybox --restart=Never -- sleep 3600");
            await WaitAsync(host, async () => (await kubectl.RunAsync("get pod sleeper -o jsonpath={.status.phase}")).Stdout == "Running", "pod sleeper Running");

            processes = host.Processes();
            Assert.Contains(processes, pid => TestNodeName.ProcessCommand(pid) == "containerd-shim");
            Assert.Contains(processes, pid => TestNodeName.ProcessCommand(pid) == "sleep");
            Assert.NotEmpty(TestNodeCleanup.CgroupDirs(host.CgroupRoot));
            Assert.Contains(CniResults(), r => r.Contains(harnessDir + "/", StringComparison.Ordinal));
        }
        finally
        {
            // No pod deletion: the kubelet leaves pods running when it stops, as after a failed test.
            await host.DisposeAsync();
        }

        Assert.All(processes, pid => Assert.Null(TestNodeName.ProcessStartTime(pid)));
        Assert.DoesNotContain(CniResults(), r => r.Contains(harnessDir + "/", StringComparison.Ordinal));
        Assert.Empty(TestNodeCleanup.CgroupDirs(host.CgroupRoot));
        Assert.Empty(TestNodeCleanup.MountsUnder(harnessDir));
        Assert.False(Directory.Exists(harnessDir));
        Assert.DoesNotContain(host.NetnsName, HostCommand.Ok("ip", "netns", "list"));
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            Thread.Sleep(50);
        }
    }

    private static async Task WaitAsync(NodeHost host, Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}\n{host.Output[^Math.Min(host.Output.Length, 6000)..]}");
            await Task.Delay(250);
        }
    }

    /// <summary>Starts containerd in the node with a CNI bridge config of its own (no agent).</summary>
    internal static void StartContainerd(NodeHost host, AgentPaths paths)
    {
        foreach (var dir in new[] { paths.ContainerdDir, paths.CniConfDir, paths.CniIpamDir, paths.PodLogsDir })
        {
            Directory.CreateDirectory(dir);
        }
        File.WriteAllText(paths.ContainerdConfig, ContainerdConfig.Render(paths));
        File.WriteAllText(Path.Combine(paths.CniConfDir, "10-harness.conflist"), $$"""
            {
              "cniVersion": "1.0.0",
              "name": "harness",
              "plugins": [
                { "type": "bridge", "bridge": "cni-h0", "isGateway": true,
                  "ipam": { "type": "host-local", "dataDir": "{{paths.CniIpamDir}}",
                            "ranges": [[{ "subnet": "{{PodSubnet}}.0/24", "gateway": "{{PodSubnet}}.1" }]] } }
              ]
            }
            """);
        host.StartInNode(["containerd", "--config", paths.ContainerdConfig]);
    }

    internal static async Task WaitForCriAsync(CriClient cri, NodeHost host)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await cri.Runtime.VersionAsync(new VersionRequest());
                return;
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (Grpc.Core.RpcException e)
            {
                throw new InvalidOperationException($"containerd does not serve CRI: {e.Status}\n{host.Output}");
            }
        }
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> attempt)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200); // httpd may not listen yet
            }
        }
    }

    private static string ShimSocket(AgentPaths paths)
    {
        var address = Directory.EnumerateFiles(paths.ContainerdState, "address", SearchOption.AllDirectories).First();
        return File.ReadAllText(address).Trim()["unix://".Length..];
    }

    private static List<string> CniResults() =>
        Directory.Exists("/var/lib/cni/results") ? Directory.EnumerateFiles("/var/lib/cni/results").Select(File.ReadAllText).ToList() : [];
}
