using System.Buffers;
using System.Text.Json;
using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.ApiServer.Registry;
using Coxswain.Api.Serialization;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Coxswain.ApiServer.Http;

/// <summary>Reading request bodies and writing JSON answers.</summary>
internal static class HttpIo
{
    public const string Json = "application/json";

    /// <summary>The whole request body, refusing more than <paramref name="max"/> bytes with 413.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, long max, CancellationToken ct)
    {
        if (request.ContentLength > max)
        {
            throw TooLarge(max);
        }
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, max) + 1);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var n = await request.Body.ReadAsync(memory, ct);
            if (n == 0)
            {
                break;
            }
            buffer.Advance(n);
            if (buffer.WrittenCount > max)
            {
                throw TooLarge(max);
            }
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static ApiException TooLarge(long max) =>
        ApiException.RequestEntityTooLarge($"Request entity too large: limit is {max}");

    public static Task WriteBytesAsync(HttpResponse response, int status, byte[] json)
    {
        response.StatusCode = status;
        response.ContentType = Json;
        response.ContentLength = json.Length;
        return response.Body.WriteAsync(json).AsTask();
    }

    public static Task WriteObjectAsync(HttpResponse response, int status, object obj) =>
        WriteBytesAsync(response, status, ObjectCodec.Encode(obj));

    /// <summary>Answers with the written object: what was stored when it was stored, else the object encoded.</summary>
    public static Task WriteResultAsync(HttpResponse response, int status, ResourceDefinition def, WriteResult result) =>
        result.Stored is { } stored
            ? WriteBytesAsync(response, status, StoredObjects.Served(def, stored.Value, stored.ModRevision))
            : WriteObjectAsync(response, status, result.Object);

    public static Task WriteStatusAsync(HttpResponse response, ApiException e)
    {
        if (e.Code == 429 || e.Code == 504)
        {
            response.Headers.RetryAfter = "1";
        }
        return WriteBytesAsync(response, e.Code, StatusJson.Encode(e.ToStatus()));
    }

    /// <summary>A success Status, as upstream answers some deletes.</summary>
    public static V1Status Success(string? name, string? group, string kind, string? uid) => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Metadata = new V1ListMeta(),
        Status = "Success",
        Details = new V1StatusDetails { Name = name, Group = string.IsNullOrEmpty(group) ? null : group, Kind = kind, Uid = uid },
        Code = 200,
    };

    /// <summary>Writes any JSON with a writer callback (tables, lists) into a pooled buffer.</summary>
    public static Task WriteJsonAsync(HttpResponse response, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            write(writer);
        }
        response.StatusCode = status;
        response.ContentType = Json;
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }
}
