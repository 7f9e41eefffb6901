using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Coxswain.Kubelet.Streaming;
using Coxswain.Kubelet.Streaming.Spdy;

namespace Coxswain.Kubelet.Tests.Streaming;

/// <summary>
/// A stand-in for containerd's CRI streaming side, as cri-containerd.md §3 describes it: the CRI
/// calls hand out single-use URLs on a local stream server that takes a SPDY/3.1 upgrade and speaks
/// Kubernetes remotecommand v4 (exec) or port-forward. Commands are fake: <c>echo ARGS</c>,
/// <c>cat</c> (stdin to stdout until stdin ends), <c>exit N</c>. Port-forward connects to 127.0.0.1:port.
/// </summary>
internal sealed class FakeContainerRuntime : IStreamingRuntime, IContainerLocator, IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, Func<SpdyConnection, Task>> _tokens = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public FakeContainerRuntime()
    {
        _listener.Start();
        _accept = AcceptAsync();
    }

    /// <summary>(namespace, pod, container) -> log file; containers not listed are unknown.</summary>
    public ConcurrentDictionary<(string, string, string), string> Logs { get; } = new();

    public List<string> ExecCommands { get; } = [];

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Task<LocatedContainer> LocateContainerAsync(string podNamespace, string podName, string container, CancellationToken ct) =>
        Logs.TryGetValue((podNamespace, podName, container), out var log)
            ? Task.FromResult(new LocatedContainer($"{podName}-{container}", $"{podName}-sandbox", Running: false, log, PreviousLogPath: null))
            : throw StreamingRequestException.NotFound($"container {container} of pod {podName} not found");

    public Task<string> LocateSandboxAsync(string podNamespace, string podName, CancellationToken ct) => Task.FromResult($"{podName}-sandbox");

    public Task<bool> IsRunningAsync(string containerId, CancellationToken ct) => Task.FromResult(false);

    public Task<Uri> GetExecUrlAsync(string containerId, IReadOnlyList<string> command, StreamFlags streams, CancellationToken ct)
    {
        lock (ExecCommands)
        {
            ExecCommands.Add(string.Join(' ', command));
        }
        return Task.FromResult(Register("exec", spdy => ServeExecAsync(spdy, command, streams)));
    }

    public Task<Uri> GetAttachUrlAsync(string containerId, StreamFlags streams, CancellationToken ct) =>
        Task.FromResult(Register("attach", spdy => ServeExecAsync(spdy, ["echo", "attached"], streams)));

    public Task<Uri> GetPortForwardUrlAsync(string sandboxId, IReadOnlyList<int> ports, CancellationToken ct) =>
        Task.FromResult(Register("portforward", ServePortForwardAsync));

    private Uri Register(string kind, Func<SpdyConnection, Task> serve)
    {
        var token = Guid.NewGuid().ToString("N")[..8];
        _tokens[token] = serve;
        return new Uri($"http://127.0.0.1:{Port}/{kind}/{token}");
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var head = await ReadHeadAsync(stream);
            var token = head.Split(' ')[1].Split('/').Last();
            if (!_tokens.TryRemove(token, out var serve) || !head.Contains("Upgrade: SPDY/3.1", StringComparison.OrdinalIgnoreCase))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                return;
            }
            var protocol = head.Contains("portforward.k8s.io", StringComparison.Ordinal) ? "portforward.k8s.io" : "v4.channel.k8s.io";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: {protocol}\r\n\r\n"));
            await using var spdy = new SpdyConnection(stream, isClient: false);
            try
            {
                await serve(spdy);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
            {
                // The client went away.
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (!(bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }
            bytes.Add(one[0]);
        }
        return Encoding.ASCII.GetString(bytes.ToArray());
    }

    private static async Task ServeExecAsync(SpdyConnection spdy, IReadOnlyList<string> command, StreamFlags flags)
    {
        var expected = 1 + (flags.Stdin ? 1 : 0) + (flags.Stdout ? 1 : 0) + (flags.Stderr ? 1 : 0) + (flags.Tty ? 1 : 0);
        var streams = new Dictionary<string, int>();
        var stdin = new MemoryStream();
        var stdinDone = !flags.Stdin;
        // remotecommand waits for every expected stream before it runs the command.
        while (streams.Count < expected || (command[0] == "cat" && !stdinDone))
        {
            var frame = await spdy.ReadFrameAsync(default);
            if (frame == null)
            {
                return;
            }
            if (frame.Type == SpdyFrameType.SynStream)
            {
                streams[frame.Header("streamType")!] = frame.StreamId;
                await spdy.WriteFrameAsync(SpdyFrame.SynReply(frame.StreamId, []), default);
            }
            else if (frame.Type == SpdyFrameType.Data && streams.TryGetValue("stdin", out var id) && frame.StreamId == id)
            {
                stdin.Write(frame.Data.Span);
                stdinDone |= frame.Fin;
            }
        }
        string? failure = null;
        switch (command[0])
        {
            case "echo":
                await spdy.WriteFrameAsync(SpdyFrame.DataFrame(streams["stdout"], Encoding.UTF8.GetBytes(string.Join(' ', command.Skip(1)) + "\n"), false), default);
                break;
            case "cat":
                await spdy.WriteFrameAsync(SpdyFrame.DataFrame(streams["stdout"], stdin.ToArray(), false), default);
                break;
            case "exit":
                await spdy.WriteFrameAsync(SpdyFrame.DataFrame(streams["stderr"], Encoding.UTF8.GetBytes("bye\n"), false), default);
                failure = command[1];
                break;
        }
        var status = failure == null
            ? """{"metadata":{},"status":"Success"}"""
            : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: exit status " + failure
              + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"" + failure + "\"}]}}";        await spdy.WriteFrameAsync(SpdyFrame.DataFrame(streams["error"], Encoding.UTF8.GetBytes(status), fin: true), default);
    }

    private static async Task ServePortForwardAsync(SpdyConnection spdy)
    {
        var sockets = new Dictionary<int, NetworkStream>();
        while (await spdy.ReadFrameAsync(default) is { } frame)
        {
            if (frame.Type == SpdyFrameType.SynStream)
            {
                await spdy.WriteFrameAsync(SpdyFrame.SynReply(frame.StreamId, []), default);
                if (frame.Header("streamType") == "data")
                {
                    var target = new TcpClient();
                    await target.ConnectAsync(IPAddress.Loopback, int.Parse(frame.Header("port")!));
                    var stream = target.GetStream();
                    sockets[frame.StreamId] = stream;
                    var id = frame.StreamId;
                    _ = Task.Run(async () =>
                    {
                        var buffer = new byte[8192];
                        try
                        {
                            int n;
                            while ((n = await stream.ReadAsync(buffer)) > 0)
                            {
                                await spdy.WriteFrameAsync(SpdyFrame.DataFrame(id, buffer.AsMemory(0, n).ToArray(), false), default);
                            }
                            await spdy.WriteFrameAsync(SpdyFrame.DataFrame(id, ReadOnlyMemory<byte>.Empty, true), default);
                        }
                        catch (Exception e) when (e is IOException or ObjectDisposedException)
                        {
                        }
                    });
                }
            }
            else if (frame.Type == SpdyFrameType.Data && sockets.TryGetValue(frame.StreamId, out var socket))
            {
                if (frame.Data.Length > 0)
                {
                    await socket.WriteAsync(frame.Data);
                }
            }
        }
        foreach (var socket in sockets.Values)
        {
            await socket.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
