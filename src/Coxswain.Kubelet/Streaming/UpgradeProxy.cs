using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Coxswain.Kubelet.Streaming;

/// <summary>
/// Relays an upgrade request (plain SPDY, or a WebSocket the runtime speaks itself) to the
/// runtime's stream URL and, once both sides switched protocols, copies bytes both ways:
/// what upstream's kubelet does with the CRI streaming URL.
/// </summary>
internal static class UpgradeProxy
{
    private static readonly string[] RequestHeaders =
        ["Connection", "Upgrade", "X-Stream-Protocol-Version", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol"];

    private static readonly string[] ResponseHeaders =
        ["Upgrade", "X-Stream-Protocol-Version", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "X-Accepted-Stream-Protocol-Versions"];

    public static async Task ProxyAsync(HttpContext ctx, Uri target, CancellationToken ct)
    {
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            throw StreamingRequestException.BadRequest("Upgrade request required");
        }
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in RequestHeaders)
        {
            foreach (var value in ctx.Request.Headers[name])
            {
                if (value != null)
                {
                    headers.Add(new(name, value));
                }
            }
        }
        using var response = await RuntimeStreamDialer.SendAsync(target, headers, ct);
        foreach (var name in ResponseHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                ctx.Response.Headers[name] = values.ToArray();
            }
        }
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            ctx.Response.StatusCode = (int)response.StatusCode;
            await response.Content.CopyToAsync(ctx.Response.Body, ct);
            return;
        }
        await using var runtime = await response.Content.ReadAsStreamAsync(ct);
        await using var client = await upgrade.UpgradeAsync();
        await PipeAsync(client, runtime, ct);
    }

    /// <summary>Copies both directions until either side ends.</summary>
    public static async Task PipeAsync(Stream a, Stream b, CancellationToken ct)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ab = a.CopyToAsync(b, done.Token);
        var ba = b.CopyToAsync(a, done.Token);
        // When one side ends, the other gets a moment to finish (a close handshake) before being cut.
        var first = await Task.WhenAny(ab, ba);
        await Task.WhenAny(first == ab ? ba : ab, Task.Delay(TimeSpan.FromSeconds(5), ct));
        await done.CancelAsync();
        try
        {
            await Task.WhenAll(ab, ba);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // One side closed.
        }
    }
}
