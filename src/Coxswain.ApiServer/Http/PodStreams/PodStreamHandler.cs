using System.Net;
using System.Text;
using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.ApiServer.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Coxswain.ApiServer.Http.PodStreams;

/// <summary>
/// The pod subresources served by the pod's kubelet: <c>log</c> (streamed through),
/// <c>exec</c>, <c>attach</c> and <c>portforward</c> (upgrades relayed byte for byte, so
/// WebSocket subprotocols and SPDY alike reach the kubelet unchanged).
/// </summary>
internal sealed class PodStreamHandler(ObjectRegistry registry)
{
    private static readonly string[] LogParameters = ["follow", "previous", "timestamps", "sinceSeconds", "sinceTime", "tailLines", "limitBytes"];

    private static readonly string[] UpgradeRequestHeaders =
        ["Connection", "Upgrade", "X-Stream-Protocol-Version", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol"];

    private static readonly string[] UpgradeResponseHeaders =
        ["Upgrade", "X-Stream-Protocol-Version", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "X-Accepted-Stream-Protocol-Versions"];

    public static bool Serves(ResourceDefinition def, string? subresource) =>
        def.Group.Length == 0 && def.Plural == "pods" && subresource is "log" or "exec" or "attach" or "portforward";

    public Task ServeAsync(HttpContext ctx, string ns, string name, string subresource, CancellationToken ct) =>
        (ctx.Request.Method, subresource) switch
        {
            ("GET", "log") => LogAsync(ctx, ns, name, ct),
            ("GET" or "POST", "exec" or "attach") => ExecOrAttachAsync(ctx, ns, name, subresource, ct),
            ("GET" or "POST", "portforward") => PortForwardAsync(ctx, ns, name, ct),
            _ => throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource"),
        };

    private async Task LogAsync(HttpContext ctx, string ns, string name, CancellationToken ct)
    {
        var pod = await KubeletLocation.GetPodAsync(registry, ns, name, ct);
        var container = KubeletLocation.ValidateContainer(pod, ctx.Request.Query["container"].ToString());
        var kubelet = await KubeletLocation.FindKubeletAsync(registry, pod, ct);
        if (kubelet is not var (host, port))
        {
            // Upstream: a pod without a node has an empty log.
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "text/plain";
            return;
        }
        var query = new StringBuilder();
        foreach (var parameter in LogParameters)
        {
            var value = ctx.Request.Query[parameter].ToString();
            if (value.Length > 0)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(parameter).Append('=').Append(Uri.EscapeDataString(value));
            }
        }
        var url = KubeletUrl(host, port, $"/containerLogs/{Path(ns)}/{Path(name)}/{Path(container)}{query}");
        using var response = await KubeletClient.SendAsync(HttpMethod.Get, url, [], upgrade: false, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await KubeletClient.RefusalAsync(response, ct);
        }
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain";
        await ctx.Response.StartAsync(ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            // Flushed per read: a followed log must reach kubectl as it is written.
            await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, n), ct);
            await ctx.Response.Body.FlushAsync(ct);
        }
    }

    private async Task ExecOrAttachAsync(HttpContext ctx, string ns, string name, string subresource, CancellationToken ct)
    {
        var pod = await KubeletLocation.GetPodAsync(registry, ns, name, ct);
        var request = ctx.Request.Query;
        var container = KubeletLocation.ValidateContainer(pod, request["container"].ToString());
        var (host, port) = await KubeletLocation.RequireKubeletAsync(registry, pod, ct);
        // Upstream's streamParams: the API's stdin/stdout/stderr/tty become the kubelet's input/output/error/tty.
        var query = new StringBuilder();
        void Add(string key, string value) => query.Append(query.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
        if (subresource == "exec")
        {
            foreach (var command in request["command"])
            {
                Add("command", command ?? "");
            }
        }
        foreach (var (api, kubelet) in new[] { ("stdin", "input"), ("stdout", "output"), ("stderr", "error"), ("tty", "tty") })
        {
            if (request[api].ToString() is "true" or "1" or "True")
            {
                Add(kubelet, "1");
            }
        }
        var url = KubeletUrl(host, port, $"/{subresource}/{Path(ns)}/{Path(name)}/{Path(container)}{query}");
        await ProxyUpgradeAsync(ctx, url, ct);
    }

    private async Task PortForwardAsync(HttpContext ctx, string ns, string name, CancellationToken ct)
    {
        var pod = await KubeletLocation.GetPodAsync(registry, ns, name, ct);
        var (host, port) = await KubeletLocation.RequireKubeletAsync(registry, pod, ct);
        var query = string.Join('&', ctx.Request.Query["ports"].Concat(ctx.Request.Query["port"])
            .SelectMany(p => (p ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => "port=" + Uri.EscapeDataString(p.Trim())));
        var url = KubeletUrl(host, port, $"/portForward/{Path(ns)}/{Path(name)}{(query.Length > 0 ? "?" + query : "")}");
        await ProxyUpgradeAsync(ctx, url, ct);
    }

    /// <summary>Relays the upgrade to the kubelet; on its 101 answers 101 and copies bytes both ways, else relays its answer.</summary>
    private static async Task ProxyUpgradeAsync(HttpContext ctx, Uri url, CancellationToken ct)
    {
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            throw ApiException.BadRequest("Upgrade request required");
        }
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var header in UpgradeRequestHeaders)
        {
            foreach (var value in ctx.Request.Headers[header])
            {
                if (value != null)
                {
                    headers.Add(new(header, value));
                }
            }
        }
        using var response = await KubeletClient.SendAsync(new HttpMethod(ctx.Request.Method), url, headers, upgrade: true, ct);
        foreach (var header in UpgradeResponseHeaders)
        {
            if (response.Headers.TryGetValues(header, out var values))
            {
                ctx.Response.Headers[header] = values.ToArray();
            }
        }
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            ctx.Response.StatusCode = (int)response.StatusCode;
            ctx.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "text/plain";
            await response.Content.CopyToAsync(ctx.Response.Body, ct);
            return;
        }
        await using var kubelet = await response.Content.ReadAsStreamAsync(ct);
        await using var client = await upgrade.UpgradeAsync();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var up = client.CopyToAsync(kubelet, done.Token);
        var down = kubelet.CopyToAsync(client, done.Token);
        // When one side ends, the other gets a moment to finish (a WebSocket close handshake) before being cut.
        var first = await Task.WhenAny(up, down);
        await Task.WhenAny(first == up ? down : up, Task.Delay(TimeSpan.FromSeconds(5), ct));
        await done.CancelAsync();
        try
        {
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // One side closed the session.
        }
    }

    private static Uri KubeletUrl(string host, int port, string pathAndQuery) =>
        new($"https://{(host.Contains(':') ? $"[{host}]" : host)}:{port}{pathAndQuery}");

    private static string Path(string segment) => Uri.EscapeDataString(segment);
}
