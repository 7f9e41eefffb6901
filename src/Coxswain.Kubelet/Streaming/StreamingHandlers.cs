using System.Globalization;
using Coxswain.Kubelet.Streaming.Exec;
using Coxswain.Kubelet.Streaming.Logs;
using Coxswain.Kubelet.Streaming.PortForward;
using Coxswain.Kubelet.Streaming.Spdy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Streaming;

/// <summary>The kubelet server's routes; errors leave as plain text with a status code, as upstream's kubelet answers.</summary>
internal sealed partial class StreamingHandlers(IContainerLocator locator, IStreamingRuntime runtime, ILogger logger)
{
    public async Task HandleAsync(HttpContext ctx)
    {
        var parts = (ctx.Request.Path.Value ?? "/").Trim('/').Split('/');
        var ct = ctx.RequestAborted;
        try
        {
            switch (parts)
            {
                case ["healthz"]:
                    await WriteTextAsync(ctx, 200, "ok");
                    return;
                case ["containerLogs", var ns, var pod, var container]:
                    await LogsAsync(ctx, ns, pod, container, ct);
                    return;
                // The optional pod uid segment of upstream's paths is accepted and ignored.
                case ["exec" or "attach", _, _, ..] when parts.Length is 4 or 5:
                    await ExecOrAttachAsync(ctx, parts[0] == "exec", parts[1], parts[2], parts[^1], ct);
                    return;
                case ["portForward", _, _, ..] when parts.Length is 3 or 4:
                    await PortForwardAsync(ctx, parts[1], parts[2], ct);
                    return;
            }
            await WriteTextAsync(ctx, 404, "404 page not found");
        }
        catch (StreamingRequestException e)
        {
            await WriteTextAsync(ctx, e.StatusCode, e.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e)
        {
            LogFailed(logger, e, ctx.Request.Path.Value ?? "");
            await WriteTextAsync(ctx, 500, e.Message);
        }
    }

    private static async Task WriteTextAsync(HttpContext ctx, int status, string text)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(text);
    }

    private async Task LogsAsync(HttpContext ctx, string ns, string pod, string container, CancellationToken ct)
    {
        var options = LogOptions.Parse(ctx.Request.Query, DateTimeOffset.UtcNow);
        var located = await locator.LocateContainerAsync(ns, pod, container, ct);
        var path = options.Previous
            ? located.PreviousLogPath ?? throw StreamingRequestException.BadRequest($"previous terminated container \"{container}\" in pod \"{pod}\" not found")
            : located.LogPath;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain";
        if (path == null || !File.Exists(path))
        {
            return;
        }
        await ctx.Response.StartAsync(ct);
        var follow = options.Follow && !options.Previous;
        await ContainerLogStreamer.Default.StreamAsync(path, options with { Follow = follow }, ctx.Response.Body,
            token => locator.IsRunningAsync(located.ContainerId, token), ct);
    }

    private async Task ExecOrAttachAsync(HttpContext ctx, bool exec, string ns, string pod, string container, CancellationToken ct)
    {
        var query = ctx.Request.Query;
        var flags = new StreamFlags(
            Stdin: Flag(query, "input", "stdin"),
            Stdout: Flag(query, "output", "stdout"),
            Stderr: Flag(query, "error", "stderr"),
            Tty: Flag(query, "tty", "tty"));
        var command = query["command"].Where(c => c != null).Select(c => c!).ToList();
        if (exec && command.Count == 0)
        {
            throw StreamingRequestException.BadRequest("you must specify at least 1 command");
        }
        if (!flags.Stdin && !flags.Stdout && !flags.Stderr)
        {
            throw StreamingRequestException.BadRequest("you must specify at least 1 of stdin, stdout, stderr");
        }
        var located = await locator.LocateContainerAsync(ns, pod, container, ct);
        var protocol = WebSocketProtocol(ctx, ChannelProtocol.Negotiate(ctx.WebSockets.WebSocketRequestedProtocols));
        var url = exec
            ? await runtime.GetExecUrlAsync(located.ContainerId, command, flags, ct)
            : await runtime.GetAttachUrlAsync(located.ContainerId, flags, ct);
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            // A SPDY client speaks the runtime's own protocol: relay it unchanged.
            await UpgradeProxy.ProxyAsync(ctx, url, ct);
            return;
        }
        await using var spdy = new SpdyConnection(await RuntimeStreamDialer.UpgradeToSpdyAsync(url, ["v4.channel.k8s.io"], ct), isClient: true);
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync(
            ctx.WebSockets.WebSocketRequestedProtocols.Count == 0 ? null : protocol.Name);
        await new ExecBridge(socket, protocol, spdy, flags).RunAsync(ct);
    }

    /// <summary>The negotiated channel protocol; a client offering none gets upstream's plain channel.k8s.io.</summary>
    private static ChannelProtocol WebSocketProtocol(HttpContext ctx, ChannelProtocol? negotiated)
    {
        if (!ctx.WebSockets.IsWebSocketRequest || negotiated != null)
        {
            return negotiated ?? ChannelProtocol.Supported[0];
        }
        return ctx.WebSockets.WebSocketRequestedProtocols.Count == 0
            ? ChannelProtocol.Supported.First(p => p.Name == "channel.k8s.io")
            : throw StreamingRequestException.BadRequest(
                $"unable to upgrade: unsupported subprotocols {string.Join(", ", ctx.WebSockets.WebSocketRequestedProtocols)}");
    }

    private async Task PortForwardAsync(HttpContext ctx, string ns, string pod, CancellationToken ct)
    {
        var ports = new List<int>();
        foreach (var value in ctx.Request.Query["port"])
        {
            ports.Add(int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                ? port
                : throw StreamingRequestException.BadRequest($"invalid port {value}"));
        }
        var sandbox = await locator.LocateSandboxAsync(ns, pod, ct);
        var tunnel = ctx.WebSockets.IsWebSocketRequest
            && ctx.WebSockets.WebSocketRequestedProtocols.Contains(PortForwardTunnel.TunnelProtocol);
        var url = await runtime.GetPortForwardUrlAsync(sandbox, ports, ct);
        if (!tunnel)
        {
            // Plain SPDY, or the channel WebSocket protocol: the runtime serves both itself.
            await UpgradeProxy.ProxyAsync(ctx, url, ct);
            return;
        }
        await using var stream = await RuntimeStreamDialer.UpgradeToSpdyAsync(url, [PortForwardTunnel.PortForwardProtocol], ct);
        using var socket = await TunnelWebSocket.AcceptAsync(ctx, PortForwardTunnel.TunnelProtocol);
        await PortForwardTunnel.RelayAsync(socket, stream, ct);
    }

    private static bool Flag(IQueryCollection query, string kubeletName, string apiName)
    {
        var value = query[kubeletName].ToString();
        if (value.Length == 0)
        {
            value = query[apiName].ToString();
        }
        return value is "1" or "true" or "True";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "streaming request {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception e, string path);
}
