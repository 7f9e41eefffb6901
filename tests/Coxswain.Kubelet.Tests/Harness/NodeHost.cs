using System.Net;
using Coxswain.ApiServer.Tests.Harness;
using k8s;

namespace Coxswain.Kubelet.Tests.Harness;

/// <summary>
/// A whole cluster (`cox server`, and with it the local agent and its containerd) inside a network
/// namespace this test made, with no route out of the machine. Tests reach it only from inside:
/// kubectl and shell commands through nsenter, the C# client and HttpClient through sockets created
/// in the namespace. Dispose removes the namespace, its processes, mounts, cgroups and data dir,
/// also when the test failed; the first node of a test process also sweeps up after crashed runs.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    /// <summary>The node's address inside its namespace (the same in every test node: namespaces do not share addresses).</summary>
    public const string NodeIp = "10.99.0.1";

    private readonly TestNodeName _name;
    private readonly NetnsSockets _sockets;
    private readonly List<NodeProcess> _processes = [];
    private CoxServer? _server;
    private bool _disposed;

    private NodeHost(TestNodeName name, NetnsSockets sockets)
    {
        _name = name;
        _sockets = sockets;
    }

    public string NetnsName => _name.NetnsName;
    public string DataDir => _name.DataDir;
    public string HarnessDir => _name.HarnessDir;

    /// <summary>The cgroup parent all pod cgroups of this node go under (the agent's --cgroup-root).</summary>
    public string CgroupRoot => _name.CgroupRoot;

    public CoxServer Server => _server ?? throw new InvalidOperationException("not started");
    public string KubeconfigPath => Server.KubeconfigPath;

    /// <summary>The API server URL, valid inside the namespace only.</summary>
    public string Url => Server.Url;

    /// <summary>Everything the server and the processes started in the node printed (for failure messages).</summary>
    public string Output => (_server?.Output ?? "") + string.Concat(StartedProcesses.Select(p => $"--- process {p.ProcessId}:\n{p.Output}"));

    /// <summary>
    /// Starts `cox server --data-dir &lt;harness&gt;/data --port 0 serverArgs...` in a fresh namespace.
    /// <paramref name="passCgroupRoot"/> adds `--cgroup-root /cox-t-...`, so that the local node's pod
    /// cgroups are this node's to remove; turn it off only for a server that does not know the flag.
    /// </summary>
    public static async Task<NodeHost> StartAsync(IEnumerable<string>? serverArgs = null, bool passCgroupRoot = true)
    {
        TestNodeCleanup.SweepStaleOnce();
        var name = TestNodeName.New();
        name.RecordOwner();
        NodeHost? host = null;
        try
        {
            HostCommand.Ok("ip", "netns", "add", name.NetnsName);
            HostCommand.Ok("ip", "-n", name.NetnsName, "link", "set", "lo", "up");
            // The node's own address (its InternalIP, reachable from pods through the bridge) sits on
            // loopback: this kernel has no dummy device, and lo carries nothing off the machine.
            HostCommand.Ok("ip", "-n", name.NetnsName, "addr", "add", NodeIp + "/32", "dev", "lo");
            host = new NodeHost(name, new NetnsSockets(name.NetnsName));
            var args = (serverArgs ?? []).ToList();
            if (passCgroupRoot)
            {
                args.AddRange(["--cgroup-root", name.CgroupRoot]);
            }
            host._server = await CoxServer.StartAsync(host.NodeLauncher(), name.DataDir, 0, [.. args]);
            return host;
        }
        catch
        {
            if (host != null)
            {
                await host.DisposeAsync();
            }
            else
            {
                TestNodeCleanup.CleanUp(name);
            }
            throw;
        }
    }

    /// <summary>The real kubectl, run inside the namespace.</summary>
    public Kubectl Kubectl(string binary = Coxswain.ApiServer.Tests.Harness.Kubectl.Default) => new(KubeconfigPath, KubectlWrapper(binary));

    /// <summary>The official C# client; its connections are made inside the namespace.</summary>
    public Kubernetes Client()
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath);
        config.FirstMessageHandlerSetup = handler =>
            _sockets.Attach(handler as SocketsHttpHandler ?? throw new InvalidOperationException($"unexpected handler {handler.GetType()}"));
        return new Kubernetes(config);
    }

    /// <summary>An HttpClient for URLs inside the namespace (pod IPs, NodePorts); IP literals only.</summary>
    public HttpClient Http(TimeSpan? timeout = null) => new(_sockets.CreateHandler()) { Timeout = timeout ?? TimeSpan.FromSeconds(30) };

    /// <summary>Connects a TCP socket from inside the namespace.</summary>
    public Task<System.Net.Sockets.Socket> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken = default) =>
        _sockets.ConnectAsync(endpoint, cancellationToken);

    /// <summary>Runs `sh -c command` inside the namespace (e.g. `wget -qO- http://10.244.0.5`).</summary>
    public Task<CommandResult> ExecInNetnsAsync(string command, TimeSpan? timeout = null) =>
        HostCommand.RunAsync(["nsenter", $"--net={_name.NetnsPath}", "--", "sh", "-c", command], timeout);

    /// <summary>Runs `sh -c command` in the server's namespaces, mount namespace included (sees containerd's mounts).</summary>
    public Task<CommandResult> ExecInServerNamespacesAsync(string command, TimeSpan? timeout = null) =>
        HostCommand.RunAsync(["nsenter", $"--target={Server.ProcessId}", "--net", "--mount", "--", "sh", "-c", command], timeout);

    /// <summary>Processes of this node: in the namespace (server, containerd, shims) or its cgroups (containers).</summary>
    public IReadOnlySet<int> Processes() => TestNodeCleanup.Processes(_name);

    private string[] NodeLauncher() => NodeProcess.Launcher(_name.NetnsPath, _name.HarnessDir);

    /// <summary>The processes <see cref="StartInNode"/> started, in order.</summary>
    public IReadOnlyList<NodeProcess> StartedProcesses
    {
        get
        {
            lock (_processes)
            {
                return [.. _processes];
            }
        }
    }

    /// <summary>Starts a long-running command inside the node; stopped (SIGTERM) before the server at dispose.</summary>
    public NodeProcess StartInNode(IEnumerable<string> command)
    {
        var process = NodeProcess.Start(NodeLauncher(), command);
        lock (_processes)
        {
            _processes.Add(process);
        }
        return process;
    }

    /// <summary>Starts `cox agent --kubeconfig &lt;the server's&gt; agentArgs...` inside the node.</summary>
    public NodeProcess StartAgent(params string[] agentArgs) =>
        StartInNode(new[] { "dotnet", CoxServer.CoxDll, "agent", "--kubeconfig", KubeconfigPath }.Concat(agentArgs));

    /// <summary>
    /// Starts a real node: `cox agent` with its own containerd, data under the harness dir, pod cgroups
    /// under <see cref="CgroupRoot"/>, named <paramref name="nodeName"/>, InternalIP <see cref="NodeIp"/>.
    /// </summary>
    public NodeProcess StartRealAgent(string nodeName = "node-1", params string[] extraArgs) =>
        StartAgent(new[] { "--data-dir", AgentDataDir, "--cgroup-root", CgroupRoot, "--node-name", nodeName, "--node-ip", NodeIp }.Concat(extraArgs).ToArray());

    /// <summary>Polls <paramref name="condition"/> for up to 90 s; fails with the cluster's pods and the node processes' output.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var pods = await Kubectl().RunAsync("get pods -A -o wide");
                var agentLog = string.Join("\n", StartedProcesses.Select(p => p.Output));
                Assert.Fail($"timed out waiting for {what}\n{pods.Stdout}\n--- agent ---\n{agentLog[^Math.Min(agentLog.Length, 8000)..]}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Waits until the pod's phase is <paramref name="phase"/>.</summary>
    public Task UntilPodPhaseAsync(string pod, string phase) =>
        UntilAsync(async () => (await Kubectl().RunAsync($"get pod {pod} -o jsonpath={{.status.phase}}")).Stdout == phase, $"{pod} {phase}");

    /// <summary>Waits until the Node is Ready; with <paramref name="node"/> null, any node (the server's local one is named after the host).</summary>
    public Task UntilNodeReadyAsync(string? node = "node-1") =>
        UntilAsync(async () => (await Kubectl().RunAsync(node is null ? "get nodes --no-headers" : $"get node {node} --no-headers")).Stdout.Contains(" Ready "),
            (node ?? "a node") + " Ready");

    /// <summary>The data dir of <see cref="StartRealAgent"/>'s agent (containerd's root and state, pods, logs).</summary>
    public string AgentDataDir => Path.Combine(_name.HarnessDir, "agent");

    /// <summary>Runs `sh -c command` in the namespaces (network and mount) of a process started in the node.</summary>
    public Task<CommandResult> ExecInNamespacesOfAsync(NodeProcess process, string command, TimeSpan? timeout = null) =>
        HostCommand.RunAsync(["nsenter", $"--target={process.ProcessId}", "--net", "--mount", "--", "sh", "-c", command], timeout);

    private string KubectlWrapper(string binary)
    {
        var path = Path.Combine(_name.HarnessDir, "bin", Path.GetFileName(binary));
        if (!File.Exists(path) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"#!/bin/sh\nexec nsenter --net={_name.NetnsPath} -- {binary} \"$@\"\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>
    /// Stops the started processes and the server (SIGTERM, as an operator would), then removes
    /// everything; throws if anything remained.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        // Latest first: a process may depend on those started before it (an agent on the server).
        foreach (var process in StartedProcesses.Reverse())
        {
            await process.DisposeAsync();
        }
        if (_server != null)
        {
            await _server.DisposeAsync();
        }
        _sockets.Dispose();
        var problems = TestNodeCleanup.CleanUp(_name);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"test node {_name.Name} not fully cleaned up: {string.Join("; ", problems)}\nserver output:\n{Output}");
        }
    }
}
