using System.Net;
using System.Net.Sockets;
using Coxswain.Api.Errors;

namespace Coxswain.ApiServer.Http.PodStreams;

/// <summary>
/// HTTPS to kubelets. Their serving certificates are self-signed and not verified, as
/// kube-apiserver does without --kubelet-certificate-authority (a known deviation to close
/// with kubelet serving certificates signed by the cluster CA). HTTP/1.1 only: upgrades need it.
/// </summary>
internal static class KubeletClient
{
    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });

    /// <summary>Sends a request; failing to reach the kubelet is upstream's 500 with the dial error.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, IEnumerable<KeyValuePair<string, string>> headers, bool upgrade, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
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
            var cause = e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                ? $"dial tcp {url.Authority}: connect: connection refused"
                : e.Message;
            // Upstream: the log streamer reports the failed GET, the upgrade proxy the failed dial; neither has a reason.
            throw new ApiException(500, "", upgrade ? $"error dialing backend: {cause}" : $"{method.Method} \"{url}\": {cause}");
        }
    }

    /// <summary>A kubelet's refusal as a Status: its plain-text body becomes the message.</summary>
    public static async Task<ApiException> RefusalAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = (await response.Content.ReadAsStringAsync(ct)).Trim();
        var code = (int)response.StatusCode;
        var reason = code switch
        {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            _ => "InternalError",
        };
        return new ApiException(code, reason, body.Length > 0 ? body : $"the server responded with the status code {code} but did not return more information");
    }
}
