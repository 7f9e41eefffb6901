using System.Net;

namespace Coxswain.Kubelet.Streaming;

/// <summary>
/// Opens an upgraded connection (HTTP/1.1 101) to a URL the runtime handed out, the way the
/// kubelet's stream proxy reaches containerd's stream server.
/// </summary>
internal static class RuntimeStreamDialer
{
    public const string SpdyUpgrade = "SPDY/3.1";
    public const string StreamProtocolHeader = "X-Stream-Protocol-Version";

    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.Zero,
    });

    /// <summary>
    /// Sends an upgrade request with the given headers. On 101 the response's content stream is
    /// the raw duplex connection; any other answer is returned as is for the caller to relay.
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(Uri url, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            return await Invoker.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new StreamingRequestException(500, $"error dialing the container runtime stream server: {e.Message}");
        }
    }

    /// <summary>A SPDY/3.1 connection offering <paramref name="streamProtocols"/>; a refusal becomes a <see cref="StreamingRequestException"/>.</summary>
    public static async Task<Stream> UpgradeToSpdyAsync(Uri url, IEnumerable<string> streamProtocols, CancellationToken ct)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Connection", "Upgrade"), new("Upgrade", SpdyUpgrade) };
        headers.AddRange(streamProtocols.Select(p => new KeyValuePair<string, string>(StreamProtocolHeader, p)));
        var response = await SendAsync(url, headers, ct);
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            response.Dispose();
            throw new StreamingRequestException(500, $"the container runtime refused the stream ({(int)response.StatusCode}): {body.Trim()}");
        }
        return await response.Content.ReadAsStreamAsync(ct);
    }
}
