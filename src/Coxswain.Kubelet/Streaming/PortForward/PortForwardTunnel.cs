using System.Net.WebSockets;

namespace Coxswain.Kubelet.Streaming.PortForward;

/// <summary>
/// kubectl's port-forward over WebSocket (subprotocol <c>SPDY/3.1+portforward.k8s.io</c>) tunnels
/// a whole SPDY session as the bytes of binary messages. The runtime's stream server speaks that
/// same SPDY session over a plain upgraded connection, so the bytes are relayed unchanged:
/// each message's payload to the runtime, each read from the runtime as one message.
/// </summary>
internal static class PortForwardTunnel
{
    public const string TunnelProtocol = "SPDY/3.1+portforward.k8s.io";
    public const string PortForwardProtocol = "portforward.k8s.io";

    public static async Task RelayAsync(WebSocket client, Stream runtime, CancellationToken ct)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var up = ClientToRuntimeAsync(client, runtime, done.Token);
        var down = RuntimeToClientAsync(client, runtime, done.Token);
        await Task.WhenAny(up, down);
        if (client.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // Already gone.
            }
        }
        // Let the client answer the close before a cancelled receive aborts the socket.
        await Task.WhenAny(up, Task.Delay(TimeSpan.FromSeconds(5), ct));
        await done.CancelAsync();
        try
        {
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // One side ended the session.
        }
    }

    private static async Task ClientToRuntimeAsync(WebSocket client, Stream runtime, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await client.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            if (result.Count > 0)
            {
                await runtime.WriteAsync(buffer.AsMemory(0, result.Count), ct);
                await runtime.FlushAsync(ct);
            }
        }
    }

    private static async Task RuntimeToClientAsync(WebSocket client, Stream runtime, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await runtime.ReadAsync(buffer, ct);
            if (n == 0)
            {
                return;
            }
            await client.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, endOfMessage: true, ct);
        }
    }
}
