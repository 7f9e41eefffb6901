using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Coxswain.Kubelet.Streaming.Spdy;

namespace Coxswain.Kubelet.Streaming.Exec;

/// <summary>
/// Joins a client's WebSocket exec/attach session (v5/v4 channels) to the runtime's SPDY
/// session (Kubernetes remotecommand v4: one SPDY stream per <c>streamType</c>). SPDY is used
/// towards containerd because its WebSocket side cannot close stdin; v5's "close stdin"
/// message becomes a FIN on the stdin stream.
/// </summary>
internal sealed class ExecBridge(WebSocket client, ChannelProtocol protocol, SpdyConnection runtime, StreamFlags flags)
{
    private const string StreamTypeHeader = "streamtype";
    private readonly Dictionary<int, string> _streamTypes = [];
    private int _stdinStream;
    private int _resizeStream;

    public async Task RunAsync(CancellationToken ct)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await OpenStreamsAsync(done.Token);
        var fromClient = PumpClientAsync(done.Token);
        var fromRuntime = PumpRuntimeAsync(done.Token);
        // Either the command ended (its output and status were relayed) or the client left.
        await Task.WhenAny(fromClient, fromRuntime);
        await CloseClientAsync(WebSocketCloseStatus.NormalClosure);
        // Let the client answer the close: cancelling a pending receive aborts the socket and can drop the status.
        await Task.WhenAny(fromClient, Task.Delay(TimeSpan.FromSeconds(5), ct));
        await done.CancelAsync();
        await Task.WhenAll(Swallow(fromClient), Swallow(fromRuntime));
    }

    private async Task OpenStreamsAsync(CancellationToken ct)
    {
        // The order upstream's client uses: error first, then the standard streams, then resize.
        var nextId = 1;
        async Task<int> OpenAsync(string type)
        {
            var id = nextId;
            nextId += 2;
            _streamTypes[id] = type;
            await runtime.WriteFrameAsync(SpdyFrame.SynStream(id, [new(StreamTypeHeader, type)]), ct);
            return id;
        }
        var error = await OpenAsync("error");
        // Nothing is ever written on the error stream by the client.
        await runtime.WriteFrameAsync(SpdyFrame.DataFrame(error, ReadOnlyMemory<byte>.Empty, fin: true), ct);
        if (flags.Stdin)
        {
            _stdinStream = await OpenAsync("stdin");
        }
        if (flags.Stdout)
        {
            await OpenAsync("stdout");
        }
        if (flags.Stderr)
        {
            await OpenAsync("stderr");
        }
        if (flags.Tty)
        {
            _resizeStream = await OpenAsync("resize");
        }
    }

    private async Task PumpClientAsync(CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        using var message = new MemoryStream();
        while (!ct.IsCancellationRequested)
        {
            var result = await client.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }
            var decoded = protocol.Decode(message.GetBuffer().AsSpan(0, (int)message.Length));
            message.SetLength(0);
            if (decoded is not var (channel, payload))
            {
                continue;
            }
            switch (channel)
            {
                case ChannelProtocol.Stdin when _stdinStream != 0 && payload.Length > 0:
                    await runtime.WriteFrameAsync(SpdyFrame.DataFrame(_stdinStream, payload, fin: false), ct);
                    break;
                case ChannelProtocol.Resize when _resizeStream != 0:
                    await runtime.WriteFrameAsync(SpdyFrame.DataFrame(_resizeStream, payload, fin: false), ct);
                    break;
                case ChannelProtocol.Close when protocol.CanCloseStdin && payload is [ChannelProtocol.Stdin] && _stdinStream != 0:
                    await runtime.WriteFrameAsync(SpdyFrame.DataFrame(_stdinStream, ReadOnlyMemory<byte>.Empty, fin: true), ct);
                    _stdinStream = 0;
                    break;
            }
        }
    }

    private async Task PumpRuntimeAsync(CancellationToken ct)
    {
        using var status = new MemoryStream();
        var statusSent = false;
        while (await runtime.ReadFrameAsync(ct) is { } frame)
        {
            if (frame.Type is SpdyFrameType.GoAway)
            {
                break;
            }
            if (frame.Type is not SpdyFrameType.Data || !_streamTypes.TryGetValue(frame.StreamId, out var type))
            {
                continue;
            }
            switch (type)
            {
                case "stdout" when frame.Data.Length > 0:
                    await SendAsync(ChannelProtocol.Stdout, frame.Data, ct);
                    break;
                case "stderr" when frame.Data.Length > 0:
                    await SendAsync(ChannelProtocol.Stderr, frame.Data, ct);
                    break;
                case "error":
                    status.Write(frame.Data.Span);
                    if (frame.Fin && !statusSent)
                    {
                        statusSent = true;
                        await SendStatusAsync(status.ToArray(), ct);
                    }
                    break;
            }
        }
        if (!statusSent && status.Length > 0)
        {
            await SendStatusAsync(status.ToArray(), ct);
        }
    }

    private Task SendStatusAsync(byte[] status, CancellationToken ct)
    {
        if (protocol.StatusAsJson)
        {
            return SendAsync(ChannelProtocol.Error, status, ct);
        }
        // Before v4 the error channel carried only the failure message, as plain text.
        var message = TryFailureMessage(status);
        return message == null ? Task.CompletedTask : SendAsync(ChannelProtocol.Error, Encoding.UTF8.GetBytes(message), ct);
    }

    private static string? TryFailureMessage(byte[] status)
    {
        try
        {
            var node = JsonNode.Parse(status);
            return node?["status"]?.GetValue<string>() == "Success" ? null : node?["message"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return status.Length == 0 ? null : Encoding.UTF8.GetString(status);
        }
    }

    private async Task SendAsync(byte channel, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var (type, bytes) = protocol.Encode(channel, payload.Span);
        await client.SendAsync(bytes, type, endOfMessage: true, ct);
    }

    private async Task CloseClientAsync(WebSocketCloseStatus status)
    {
        if (client.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await client.CloseOutputAsync(status, null, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The client is gone already.
            }
        }
    }

    private static async Task Swallow(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // One side ended; the other's failure after that is expected.
        }
    }
}
