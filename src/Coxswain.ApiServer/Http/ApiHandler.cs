using System.Security.Cryptography;
using System.Text;
using Coxswain.Api.Errors;
using Coxswain.ApiServer.Discovery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coxswain.ApiServer.Http;

/// <summary>
/// The front door: health checks, authentication, version, discovery, OpenAPI and resource
/// paths. Every failure leaves as a metav1.Status.
/// </summary>
internal sealed partial class ApiHandler(
    ResourceHandler resources,
    DiscoveryDocuments discovery,
    OpenApiEndpoints openApi,
    string adminToken,
    Func<bool> isReady,
    ILogger<ApiHandler> logger)
{
    private readonly byte[] _adminToken = Encoding.UTF8.GetBytes(adminToken);
    private readonly RequestMetrics _metrics = new();

    public static readonly byte[] VersionJson = Encoding.UTF8.GetBytes(
        """{"major":"1","minor":"32","gitVersion":"v1.32.0+coxswain","gitCommit":"0000000000000000000000000000000000000000","gitTreeState":"clean","buildDate":"2026-01-01T00:00:00Z","goVersion":"dotnet10","compiler":"coxswain","platform":"linux/amd64"}""");

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        RequestInfo? counted = null;
        try
        {
            if (await TryHealthAsync(ctx, path))
            {
                return;
            }
            if (path == "/version" || path == "/version/")
            {
                await HttpIo.WriteBytesAsync(ctx.Response, 200, VersionJson);
                return;
            }
            Authenticate(ctx.Request);
            if (path == "/metrics")
            {
                await _metrics.WriteAsync(ctx.Response);
                return;
            }
            if (path.StartsWith("/openapi/", StringComparison.Ordinal))
            {
                await openApi.ServeAsync(ctx, path);
                return;
            }
            if (path is "/api" or "/api/" or "/apis" or "/apis/")
            {
                await ServeDiscoveryRootAsync(ctx, core: path.StartsWith("/api/", StringComparison.Ordinal) || path == "/api");
                return;
            }
            var info = RequestInfo.Parse(path);
            if (info != null)
            {
                counted = info;
                await resources.HandleAsync(ctx, info);
                return;
            }
            var legacy = discovery.Legacy(path);
            if (legacy != null && ctx.Request.Method == "GET")
            {
                await HttpIo.WriteBytesAsync(ctx.Response, 200, legacy);
                return;
            }
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        catch (ApiException e)
        {
            await WriteErrorAsync(ctx, e);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (BadHttpRequestException e)
        {
            await WriteErrorAsync(ctx, e.StatusCode == 413
                ? ApiException.RequestEntityTooLarge(e.Message)
                : ApiException.BadRequest(e.Message));
        }
        catch (Exception e)
        {
            LogUnhandled(logger, e, ctx.Request.Method, path);
            await WriteErrorAsync(ctx, ApiException.Internal(e.Message));
        }
        finally
        {
            // After the catches, so that an error's status code is the one counted.
            if (counted != null)
            {
                _metrics.Record(ctx.Request, counted, ctx.Response.StatusCode);
            }
        }
    }

    private static async Task WriteErrorAsync(HttpContext ctx, ApiException e)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }
        ctx.Response.Clear();
        await HttpIo.WriteStatusAsync(ctx.Response, e);
    }

    private async Task<bool> TryHealthAsync(HttpContext ctx, string path)
    {
        var check = path.TrimEnd('/');
        if (check is not ("/healthz" or "/livez" or "/readyz") && !check.StartsWith("/healthz/", StringComparison.Ordinal)
            && !check.StartsWith("/livez/", StringComparison.Ordinal) && !check.StartsWith("/readyz/", StringComparison.Ordinal))
        {
            return false;
        }
        var ready = !check.StartsWith("/readyz", StringComparison.Ordinal) || isReady();
        ctx.Response.StatusCode = ready ? 200 : 500;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(ready ? "ok" : "readyz check failed");
        return true;
    }

    private void Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = Encoding.UTF8.GetBytes(header[7..].Trim());
            if (CryptographicOperations.FixedTimeEquals(token, _adminToken))
            {
                return;
            }
        }
        throw new ApiException(401, "Unauthorized", "Unauthorized");
    }

    private async Task ServeDiscoveryRootAsync(HttpContext ctx, bool core)
    {
        var accept = ctx.Request.Headers.Accept.ToString();
        foreach (var version in new[] { "v2", "v2beta1" })
        {
            if (accept.Contains($"g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList", StringComparison.Ordinal))
            {
                var bytes = discovery.Aggregated(core, version, out var contentType);
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = contentType;
                ctx.Response.Headers.Vary = "Accept";
                ctx.Response.ContentLength = bytes.Length;
                await ctx.Response.Body.WriteAsync(bytes);
                return;
            }
        }
        await HttpIo.WriteBytesAsync(ctx.Response, 200, discovery.Legacy(core ? "/api" : "/apis")!);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "unhandled error serving {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception e, string method, string path);
}
