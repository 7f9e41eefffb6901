using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Coxswain.Kubelet.Streaming.PortForward;

/// <summary>
/// Accepts a WebSocket by hand: .NET refuses subprotocol names with '/', and kubectl's tunnel
/// protocol is <c>SPDY/3.1+portforward.k8s.io</c>. The handshake is RFC 6455's accept hash.
/// </summary>
internal static class TunnelWebSocket
{
    private const string HandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static async Task<WebSocket> AcceptAsync(HttpContext ctx, string subprotocol)
    {
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        var key = ctx.Request.Headers["Sec-WebSocket-Key"].ToString();
        if (upgrade is not { IsUpgradableRequest: true } || key.Length == 0)
        {
            throw StreamingRequestException.BadRequest("Upgrade request required");
        }
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key.Trim() + HandshakeGuid)));
        ctx.Response.Headers.Upgrade = "websocket";
        ctx.Response.Headers.SecWebSocketAccept = accept;
        ctx.Response.Headers.SecWebSocketProtocol = subprotocol;
        var stream = await upgrade.UpgradeAsync();
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(30) });
    }
}
