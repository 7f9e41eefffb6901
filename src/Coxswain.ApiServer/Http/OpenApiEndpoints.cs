using Coxswain.Api.Errors;
using Coxswain.Api.OpenApi;
using Microsoft.AspNetCore.Http;

namespace Coxswain.ApiServer.Http;

/// <summary>
/// /openapi/v2 (JSON, or protobuf for the clients that ask for it) and /openapi/v3 with one
/// document per group-version, addressed by content hash so clients can cache them.
/// </summary>
internal sealed class OpenApiEndpoints(OpenApiDocuments documents)
{
    public async Task ServeAsync(HttpContext ctx, string path)
    {
        var response = ctx.Response;
        if (path is "/openapi/v2" or "/openapi/v2/")
        {
            var wantsProtobuf = ctx.Request.Headers.Accept.ToString().Contains(OpenApiDocuments.V2ProtobufAccept, StringComparison.Ordinal);
            var bytes = wantsProtobuf ? documents.V2Protobuf : documents.V2;
            response.StatusCode = 200;
            response.ContentType = wantsProtobuf ? OpenApiDocuments.V2ProtobufContentType : HttpIo.Json;
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, ctx.RequestAborted);
            return;
        }
        if (path is "/openapi/v3" or "/openapi/v3/")
        {
            await HttpIo.WriteBytesAsync(response, 200, documents.V3Index);
            return;
        }
        const string v3 = "/openapi/v3/";
        if (path.StartsWith(v3, StringComparison.Ordinal) && documents.TryGetV3(path[v3.Length..], out var json, out var hash))
        {
            var etag = $"\"{hash}\"";
            response.Headers.ETag = etag;
            // Hash-addressed documents never change: let clients keep them.
            response.Headers.CacheControl = ctx.Request.Query.ContainsKey("hash") ? "public, immutable" : "no-cache, private";
            if (ctx.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                response.StatusCode = 304;
                return;
            }
            await HttpIo.WriteBytesAsync(response, 200, json);
            return;
        }
        throw new ApiException(404, "NotFound", "the server could not find the requested resource");
    }
}
