using System.Net;
using System.Net.Sockets;
using System.Text;
using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Kubelet.Streaming;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Kubelet.Tests.Streaming;

/// <summary>
/// A real `cox server`, a node whose kubelet address is this test's <see cref="KubeletServer"/> on
/// 127.0.0.1 (backed by <see cref="FakeContainerRuntime"/>), and the real kubectl: logs, exec and
/// port-forward go kubectl -> API server -> kubelet -> runtime stream server and back.
/// </summary>
public sealed class StreamingClusterFixture : IAsyncLifetime
{
    public CoxServer Server { get; private set; } = null!;
    internal FakeContainerRuntime Runtime { get; } = new();
    public KubeletServer Kubelet { get; private set; } = null!;
    public string LogDir { get; } = Directory.CreateTempSubdirectory("cox-stream-logs-").FullName;
    public const string Node = "stream-node";
    public const string DeadNode = "dead-node";

    public async Task InitializeAsync()
    {
        Server = await Task.Run(() => CoxServer.StartAsync(null, 0, "--no-scheduler", "--controllers", "garbagecollector,namespace"));
        Kubelet = await KubeletServer.StartAsync(
            new KubeletServerOptions { BindAddress = IPAddress.Loopback, Port = 0 }, Runtime, Runtime, NullLoggerFactory.Instance);
        using var client = Server.Client();
        await RegisterNodeAsync(client, Node, Kubelet.Port);
        // A node whose kubelet port has nothing listening.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await RegisterNodeAsync(client, DeadNode, closedPort);
    }

    private static async Task RegisterNodeAsync(Kubernetes client, string name, int port)
    {
        var node = await client.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name } });
        node.Status = new V1NodeStatus
        {
            Addresses = [new V1NodeAddress { Address = "127.0.0.1", Type = "InternalIP" }, new V1NodeAddress { Address = name, Type = "Hostname" }],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = port } },
        };
        await client.ReplaceNodeStatusAsync(node, name);
    }

    public async Task DisposeAsync()
    {
        await Kubelet.DisposeAsync();
        await Runtime.DisposeAsync();
        await Server.DisposeAsync();
        Directory.Delete(LogDir, recursive: true);
    }
}

public sealed class KubectlStreamingTests(StreamingClusterFixture fixture) : IClassFixture<StreamingClusterFixture>
{
    private readonly Kubectl _kubectl = fixture.Server.Kubectl();

    private async Task<string> PodAsync(string? node, params string[] containers)
    {
        var ns = "s-" + Guid.NewGuid().ToString("N")[..8];
        using var client = fixture.Server.Client();
        await client.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        var pod = await client.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p" },
            Spec = new V1PodSpec { NodeName = node, Containers = containers.Select(c => new V1Container { Name = c, Image = "busybox" }).ToList() },
        }, ns);
        pod.Status = new V1PodStatus { Phase = "Running" };
        await client.ReplaceNamespacedPodStatusAsync(pod, "p", ns);
        return ns;
    }

    private string Log(string ns, string container, params string[] lines)
    {
        var path = Path.Combine(fixture.LogDir, $"{ns}-{container}.log");
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")));
        fixture.Runtime.Logs[(ns, "p", container)] = path;
        return path;
    }

    [Fact]
    public async Task LogsComeFromTheKubeletWithTailAndTimestamps()
    {
        var ns = await PodAsync(StreamingClusterFixture.Node, "app");
        Log(ns, "app", "2026-11-26T05:00:01.5Z stdout F one", "2026-11-26T05:00:02Z stderr P tw", "2026-11-26T05:00:02.1Z stderr F o");

        var all = await _kubectl.RunAsync($"logs p -n {ns}");
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal("one\ntwo\n", all.Stdout);

        var tail = await _kubectl.RunAsync($"logs p -n {ns} --tail=1 --timestamps");
        Assert.True(tail.ExitCode == 0, tail.ToString());
        Assert.Equal("2026-11-26T05:00:02.000000000Z two\n", tail.Stdout);

        var limited = await _kubectl.RunAsync($"logs p -n {ns} --limit-bytes=2");
        Assert.Equal("on", limited.Stdout);
    }

    [Fact]
    public async Task LogsCheckTheContainerNameAsUpstream()
    {
        var ns = await PodAsync(StreamingClusterFixture.Node, "a", "b");
        // kubectl itself defaults to the first container; the API server's answer is upstream's.
        using var http = fixture.Server.Http();
        var unnamed = await http.GetAsync($"{fixture.Server.Url}/api/v1/namespaces/{ns}/pods/p/log");
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
        Assert.Contains("a container name must be specified for pod p, choose one of: [a b]", await unnamed.Content.ReadAsStringAsync());

        var wrong = await _kubectl.RunAsync($"logs p -n {ns} -c nope");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("container nope is not valid for pod p", wrong.Stderr);

        var missing = await _kubectl.RunAsync($"logs nosuch -n {ns}");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("pods \"nosuch\" not found", missing.Stderr);
    }

    [Fact]
    public async Task PodWithoutNodeHasAnEmptyLogAndCannotExec()
    {
        var ns = await PodAsync(null, "app");
        var logs = await _kubectl.RunAsync($"logs p -n {ns}");
        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Equal("", logs.Stdout);

        var exec = await _kubectl.RunAsync($"exec p -n {ns} -- echo hi");
        Assert.NotEqual(0, exec.ExitCode);
        Assert.Contains("pod p does not have a host assigned", exec.Stderr);
    }

    [Fact]
    public async Task UnreachableKubeletIsAServerError()
    {
        var ns = await PodAsync(StreamingClusterFixture.DeadNode, "app");
        var logs = await _kubectl.RunAsync($"logs p -n {ns}");
        Assert.NotEqual(0, logs.ExitCode);
        Assert.Contains("connection refused", logs.Stderr);
    }

    [Fact]
    public async Task ExecRelaysOutputAndExitCode()
    {
        var ns = await PodAsync(StreamingClusterFixture.Node, "app");
        Log(ns, "app");
        var echo = await _kubectl.RunAsync($"exec p -n {ns} -- echo hello there");
        Assert.True(echo.ExitCode == 0, echo.ToString());
        Assert.Equal("hello there\n", echo.Stdout);

        var fail = await _kubectl.RunAsync($"exec p -n {ns} -- exit 7");
        Assert.Equal(7, fail.ExitCode);
        Assert.Equal("bye\n", fail.Stderr.Split("command terminated")[0]);
    }

    [Fact]
    public async Task AttachRelaysTheMainProcessOutput()
    {
        var ns = await PodAsync(StreamingClusterFixture.Node, "app");
        Log(ns, "app");
        // The fake runtime's attach session prints "attached" and ends.
        var attach = await _kubectl.RunAsync($"attach p -n {ns}", timeout: TimeSpan.FromSeconds(60));
        Assert.True(attach.ExitCode == 0, attach.ToString());
        Assert.Equal("attached\n", attach.Stdout);
    }

    [Fact]
    public async Task ExecWithStdinSeesItsEnd()
    {
        var ns = await PodAsync(StreamingClusterFixture.Node, "app");
        Log(ns, "app");
        // The fake `cat` answers only once stdin is closed: kubectl's v5 close must reach the runtime as a SPDY FIN.
        var cat = await _kubectl.RunAsync($"exec -i p -n {ns} -- cat", stdin: "line one\nline two\n", timeout: TimeSpan.FromSeconds(60));
        Assert.True(cat.ExitCode == 0, cat.ToString());
        Assert.Equal("line one\nline two\n", cat.Stdout);
    }

    [Fact]
    public async Task PortForwardReachesThePort()
    {
        var ns = await PodAsync(StreamingClusterFixture.Node, "app");
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        var port = ((IPEndPoint)echo.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var peer = await echo.AcceptTcpClientAsync();
            var stream = peer.GetStream();
            var buffer = new byte[1024];
            var n = await stream.ReadAsync(buffer);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("echo:" + Encoding.ASCII.GetString(buffer, 0, n)));
            await stream.FlushAsync();
            await Task.Delay(500);
        });

        await using var forward = _kubectl.Start($"port-forward p -n {ns} :{port} -v=6");
        var line = await forward.ReadLineAsync(TimeSpan.FromSeconds(30));
        // "Forwarding from 127.0.0.1:LOCAL -> PORT"
        var local = int.Parse(line.Split("127.0.0.1:")[1].Split(' ')[0]);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, local);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("ping"));
        var reply = new byte[64];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (read < "echo:ping".Length)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(reply.AsMemory(read), timeout.Token);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException("kubectl said: " + forward.Stderr, e);
            }
            Assert.True(n > 0, "connection closed early; kubectl said: " + forward.Stderr);
            read += n;
        }
        Assert.Equal("echo:ping", Encoding.ASCII.GetString(reply, 0, read));
        await serve.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
