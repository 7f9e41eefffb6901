using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Runtime;
using k8s;

namespace Coxswain.Kubelet.Tests.Harness;

public sealed class NodeHostTests
{
    // The server's own real node is not what these tests are about: they stay fast without it.
    private static readonly string[] OneSimulatedNode = ["--simulated-nodes", "1", "--disable-agent"];
    private static readonly string[] NoNode = ["--disable-agent"];

    [Fact]
    public async Task KubectlAndTheCSharpClientReachTheClusterInsideTheNamespace()
    {
        await using var host = await NodeHost.StartAsync(OneSimulatedNode);

        var kubectl = host.Kubectl();
        var nodes = await kubectl.RunAsync("get nodes -o name");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (nodes.ExitCode == 0 && nodes.Stdout.Trim().Length == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200); // the simulated node registers itself after the server is ready
            nodes = await kubectl.RunAsync("get nodes -o name");
        }
        Assert.True(nodes.ExitCode == 0, $"{nodes}\n{host.Output}");
        Assert.Single(nodes.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("node/", StringComparison.Ordinal));

        using var client = host.Client();
        var list = await client.CoreV1.ListNodeAsync();
        Assert.Equal(nodes.Stdout.Trim(), "node/" + Assert.Single(list.Items).Metadata.Name);

        // Only loopback (which also holds the node's address), no route: nothing inside can leave the machine.
        var routes = await host.ExecInNetnsAsync("ip -4 route show; ip -6 route show | grep -v '^::1 '");
        Assert.Equal("", routes.Stdout.Trim());
        var links = await host.ExecInNetnsAsync("ip -o link show | cut -d: -f2");
        Assert.Equal("lo", links.Stdout.Trim());
        var address = await host.ExecInNetnsAsync("ip -4 -o addr show dev lo");
        Assert.Contains($"inet {NodeHost.NodeIp}/32", address.Stdout);
    }

    [Fact]
    public async Task TheServerSeesItsNamespacesNetworkDevicesAndTheCgroupMounts()
    {
        await using var host = await NodeHost.StartAsync(OneSimulatedNode);

        // What containerd and runc (children of the server) will see.
        var view = await host.ExecInServerNamespacesAsync("ls /sys/class/net; ls /sys/fs/cgroup");
        Assert.True(view.ExitCode == 0, view.ToString());
        var entries = view.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("lo", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("eth", StringComparison.Ordinal) || e.StartsWith("veth", StringComparison.Ordinal));
        var hierarchies = TestNodeCleanup.CgroupHierarchies().Select(Path.GetFileName).ToList();
        Assert.NotEmpty(hierarchies);
        Assert.All(hierarchies, h => Assert.Contains(h, entries));
    }

    [Fact]
    public async Task RuncInsideTheNodeCreatesCgroupsUnderTheNodesCgroupRoot()
    {
        await using var host = await NodeHost.StartAsync(OneSimulatedNode);
        var bundle = Path.Combine(host.DataDir, "runc-probe");
        Directory.CreateDirectory(Path.Combine(bundle, "rootfs", "bin"));
        File.Copy("/bin/busybox", Path.Combine(bundle, "rootfs", "bin", "busybox"));
        HostCommand.Ok("runc", "spec", "--bundle", bundle);
        var specPath = Path.Combine(bundle, "config.json");
        var spec = JsonNode.Parse(File.ReadAllText(specPath))!;
        spec["process"]!["terminal"] = false;
        spec["process"]!["args"] = new JsonArray("/bin/busybox", "cat", "/proc/self/cgroup");
        spec["linux"]!["cgroupsPath"] = host.CgroupRoot + "/pod1/c1";
        File.WriteAllText(specPath, spec.ToJsonString());

        // What containerd's shim does for every container of the node's agent.
        var run = await host.ExecInServerNamespacesAsync($"runc --root {host.DataDir}/runc-state run --bundle {bundle} probe");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($":pids:{host.CgroupRoot}/pod1/c1", run.Stdout);
        var podCgroup = TestNodeCleanup.CgroupHierarchies().Single(h => h.EndsWith("/pids", StringComparison.Ordinal)) + host.CgroupRoot + "/pod1";
        Assert.True(Directory.Exists(podCgroup), "runc leaves the parents it made; the cleanup removes them");
    }

    [Fact]
    public async Task AnAgentStartedInTheNodeJoinsTheClusterAndStopsAtDispose()
    {
        var host = await NodeHost.StartAsync(NoNode);
        NodeProcess agent;
        try
        {
            agent = host.StartAgent("--simulated", "--nodes", "1", "--name-prefix", "netns-agent-");
            using var client = host.Client();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while ((await client.CoreV1.ListNodeAsync()).Items.All(n => !n.Metadata.Name.StartsWith("netns-agent-", StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline && !agent.HasExited, "the agent's node did not register:\n" + host.Output);
                await Task.Delay(200);
            }
            Assert.Contains(agent.ProcessId, host.Processes());
        }
        finally
        {
            await host.DisposeAsync();
        }
        Assert.True(agent.HasExited);
        Assert.Null(TestNodeName.ProcessStartTime(agent.ProcessId));
    }

    [Fact]
    public async Task ARealAgentAndItsContainerdRunInTheNodeAndLeaveNothingBehind()
    {
        var host = await NodeHost.StartAsync(NoNode);
        var harnessDir = host.HarnessDir;
        IReadOnlySet<int> processes;
        try
        {
            var agent = host.StartRealAgent("node-1");
            await agent.WaitForOutputAsync("serving CRI on");

            using var cri = CriClient.Connect(new AgentPaths(host.AgentDataDir).ContainerdSocket);
            var version = await cri.Runtime.VersionAsync(new VersionRequest());
            Assert.Equal("containerd", version.RuntimeName);

            processes = host.Processes();
            var containerd = Assert.Single(processes, pid => TestNodeName.ProcessCommand(pid) == "containerd");
            var netnsInode = HostCommand.Ok("stat", "-L", "-c", "%i", $"/run/netns/{host.NetnsName}").Trim();
            Assert.Equal($"net:[{netnsInode}]", new FileInfo($"/proc/{containerd}/ns/net").LinkTarget);
        }
        finally
        {
            await host.DisposeAsync();
        }
        Assert.All(processes, pid => Assert.Null(TestNodeName.ProcessStartTime(pid)));
        Assert.False(Directory.Exists(harnessDir));
        Assert.Empty(TestNodeCleanup.MountsUnder(harnessDir));
    }

    [Fact]
    public async Task DisposeLeavesNoNamespaceProcessMountCgroupOrDataDir()
    {
        var host = await NodeHost.StartAsync(OneSimulatedNode);
        var netns = host.NetnsName;
        var harnessDir = host.HarnessDir;
        using var container = StartContainerLikeProcessIn(host.CgroupRoot + "/pod1/c1");

        // A mount made the way containerd makes them: inside the server's mount namespace only.
        var inner = Path.Combine(host.DataDir, "inner-mount");
        var mounted = await host.ExecInServerNamespacesAsync($"mkdir -p {inner} && mount -t tmpfs cox-test {inner} && grep -c ' {inner} ' /proc/self/mountinfo");
        Assert.True(mounted.ExitCode == 0, mounted.ToString());
        Assert.Empty(TestNodeCleanup.MountsUnder(inner));
        // And one leaked into the root mount namespace, which the cleanup must unmount before deleting.
        var leaked = Path.Combine(host.DataDir, "leaked-mount");
        Directory.CreateDirectory(leaked);
        HostCommand.Ok("mount", "-t", "tmpfs", "cox-test", leaked);
        File.WriteAllText(Path.Combine(leaked, "keep"), "x");

        var processes = host.Processes();
        Assert.Contains(host.Server.ProcessId, processes);
        Assert.Contains(container.Id, processes);

        await host.DisposeAsync();

        Assert.DoesNotContain(netns, HostCommand.Ok("ip", "netns", "list"));
        Assert.All(processes, pid => Assert.Null(TestNodeName.ProcessStartTime(pid)));
        Assert.True(container.HasExited);
        Assert.Empty(TestNodeCleanup.MountsUnder(harnessDir));
        Assert.False(Directory.Exists(harnessDir));
        Assert.Empty(TestNodeCleanup.CgroupDirs("/" + netns));
    }

    [Fact]
    public async Task TheNamespaceAndTheRootNamespaceCannotReachEachOther()
    {
        await using var host = await NodeHost.StartAsync(OneSimulatedNode);
        using var rootListener = new TcpListener(IPAddress.Loopback, 0);
        rootListener.Start();
        var rootEndpoint = (IPEndPoint)rootListener.LocalEndpoint;

        // The listener is there for the root namespace...
        using (var fromRoot = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await fromRoot.ConnectAsync(rootEndpoint);
        }
        // ...but 127.0.0.1 inside is another loopback.
        await Assert.ThrowsAsync<SocketException>(() => host.ConnectAsync(rootEndpoint));
        var wget = await host.ExecInNetnsAsync($"busybox wget -q -T 5 -O- http://127.0.0.1:{rootEndpoint.Port}/");
        Assert.NotEqual(0, wget.ExitCode);

        // The server answers inside, and its port is closed from the root namespace.
        using var client = host.Client();
        Assert.False(string.IsNullOrEmpty((await client.Version.GetCodeAsync()).GitVersion));
        using var rootHttp = host.Server.Http(); // trusts the cluster's CA only: no other listener can pass for it
        await Assert.ThrowsAsync<HttpRequestException>(() => rootHttp.GetAsync("/version"));
    }

    [Fact]
    public async Task AnExceptionInsideATestStillCleansUp()
    {
        string? netns = null;
        string? harnessDir = null;
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var host = await NodeHost.StartAsync(OneSimulatedNode);
            netns = host.NetnsName;
            harnessDir = host.HarnessDir;
            throw new InvalidOperationException("the test failed");
        });

        Assert.Equal("the test failed", thrown.Message);
        Assert.NotNull(netns);
        Assert.DoesNotContain(netns, HostCommand.Ok("ip", "netns", "list"));
        Assert.False(Directory.Exists(harnessDir));
    }

    [Fact]
    public void TheSweepRemovesNodesOfDeadOwnersOnly()
    {
        var stale = new TestNodeName(DeadPid(), "5ca1e0");
        var live = TestNodeName.New();
        var processes = new List<Process>();
        try
        {
            foreach (var node in new[] { stale, live })
            {
                node.RecordOwner();
                if (node == stale)
                {
                    File.WriteAllText(node.OwnerFile, "0"); // no process started at tick 0: even a reused pid is not the owner
                }
                Directory.CreateDirectory(node.DataDir);
                HostCommand.Ok("ip", "netns", "add", node.NetnsName);
                processes.Add(Process.Start("nsenter", [$"--net={node.NetnsPath}", "--", "sleep", "600"]));
                processes.Add(StartContainerLikeProcessIn(node.CgroupRoot + "/pod1"));
            }
            WaitUntil(() => TestNodeCleanup.Processes(stale).Count == 2 && TestNodeCleanup.Processes(live).Count == 2);

            var remaining = TestNodeCleanup.SweepStale();

            Assert.Empty(remaining);
            var namespaces = HostCommand.Ok("ip", "netns", "list");
            Assert.DoesNotContain(stale.NetnsName, namespaces);
            Assert.False(Directory.Exists(stale.HarnessDir));
            Assert.Empty(TestNodeCleanup.CgroupDirs(stale.CgroupRoot));
            Assert.True(processes[0].HasExited && processes[1].HasExited);

            Assert.Contains(live.NetnsName, namespaces);
            Assert.True(Directory.Exists(live.DataDir));
            Assert.Equal(2, TestNodeCleanup.Processes(live).Count);
        }
        finally
        {
            Assert.Empty(TestNodeCleanup.CleanUp(stale));
            Assert.Empty(TestNodeCleanup.CleanUp(live));
            processes.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public void NamesCarryTheOwnerPid()
    {
        var name = TestNodeName.New();
        Assert.Equal(name, TestNodeName.Parse(name.Name));
        Assert.Equal(Environment.ProcessId, name.OwnerPid);
        Assert.Equal("/" + name.Name, name.CgroupRoot);
        Assert.Null(TestNodeName.Parse("cox-test-abc"));
        Assert.Null(TestNodeName.Parse("cox-t-12-xyz"));
    }

    /// <summary>A `sleep` in the root namespaces moved into the node's cgroups, as a container whose shim died would be.</summary>
    private static Process StartContainerLikeProcessIn(string cgroup)
    {
        var process = Process.Start("sleep", "600");
        foreach (var hierarchy in TestNodeCleanup.CgroupHierarchies())
        {
            Directory.CreateDirectory(hierarchy + cgroup);
        }
        var pids = TestNodeCleanup.CgroupHierarchies().Single(h => h.EndsWith("/pids", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(pids + cgroup, "cgroup.procs"), process.Id.ToString());
        return process;
    }

    private static int DeadPid()
    {
        using var exited = Process.Start("true");
        exited.WaitForExit();
        return exited.Id;
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
}
