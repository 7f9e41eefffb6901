using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.Api.Serialization;
using Coxswain.ApiServer.Registry;
using Coxswain.Storage;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coxswain.ApiServer.Http;

/// <summary>
/// Watch streams: a chunked sequence of <c>{"type":..., "object":...}</c> lines, starting from a
/// resourceVersion (or with the current state as ADDED events), filtered by selectors (objects
/// moving in or out of the selection appear as ADDED / DELETED, as upstream's watch cache does),
/// with bookmarks and a timeout.
/// </summary>
internal sealed partial class WatchHandler(ObjectRegistry registry, ILogger<WatchHandler> logger)
{
    private static readonly TimeSpan BookmarkInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(30);

    public async Task ServeAsync(HttpContext ctx, ResourceDefinition def, string? ns, ListQuery query, CancellationToken ct)
    {
        var q = ctx.Request.Query;
        var shape = Negotiation.Shape(ctx.Request);
        var include = TableWriter.ParseInclude(q["includeObject"]);
        var bookmarks = q["allowWatchBookmarks"].ToString() is "true" or "1";
        var sendInitial = q["sendInitialEvents"].ToString() switch
        {
            "true" => true,
            "false" => false,
            "" => (bool?)null,
            var v => throw ApiException.BadRequest($"sendInitialEvents: Invalid value: \"{v}\""),
        };
        var timeout = MaxTimeout;
        if (q.TryGetValue("timeoutSeconds", out var t) && !string.IsNullOrEmpty(t))
        {
            timeout = long.TryParse(t, out var secs) && secs >= 0
                ? TimeSpan.FromSeconds(Math.Min(secs, (long)MaxTimeout.TotalSeconds))
                : throw ApiException.BadRequest($"timeoutSeconds: Invalid value: \"{t}\"");
        }
        if (sendInitial == true && (query.ResourceVersionMatch != "NotOlderThan" || !bookmarks))
        {
            throw ApiException.Invalid("ListOptions", "", "", [FieldError.Forbidden("sendInitialEvents", "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled and resourceVersionMatch is NotOlderThan and allowWatchBookmarks is true")]);
        }

        // Initial state: rv unset or "0" (or sendInitialEvents) lists first and watches from the list's revision.
        List<ListedObject>? initial = null;
        long from;
        if (sendInitial ?? (query.ResourceVersion is null or "0"))
        {
            var page = await registry.ListAsync(def, ns, query with { Limit = 0, Continue = null, ResourceVersion = null, ResourceVersionMatch = null }, ct);
            initial = [.. page.Items];
            from = page.Revision;
        }
        else
        {
            from = long.TryParse(query.ResourceVersion, out var rv) && rv >= 0
                ? rv
                : throw ApiException.BadRequest($"resourceVersion: Invalid value: \"{query.ResourceVersion}\": must be an integer");
        }

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        var token = timeoutCts.Token;
        var writer = new EventWriter(ctx.Response, def, shape, include, registry.Clock);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = shape == OutputShape.Object ? "application/json" : "application/json;as=Table;v=v1;g=meta.k8s.io";
        ctx.Response.Headers.CacheControl = "no-cache, private";

        IStoreWatch watch;
        try
        {
            watch = registry.Store.Watch(StorageKeys.Prefix(def, ns), from, token);
        }
        catch (CompactedException e)
        {
            await writer.ErrorAsync(TooOld(from, e.CompactedRevision), token);
            return;
        }
        await using (watch)
        {
            try
            {
                await ctx.Response.StartAsync(token);
                await ctx.Response.Body.FlushAsync(token);
                if (initial != null)
                {
                    foreach (var item in initial)
                    {
                        writer.Write("ADDED", item.Object);
                    }
                    if (sendInitial == true)
                    {
                        writer.Bookmark(from, initialEventsEnd: true);
                    }
                    await writer.FlushAsync(token);
                }
                await PumpAsync(watch, def, query, writer, bookmarks, from, token);
            }
            catch (OperationCanceledException)
            {
                // Timeout or client gone: the stream just ends.
            }
            catch (CompactedException e)
            {
                LogWatcherTooSlow(logger, def.Plural, e.Message);
                await writer.ErrorAsync(TooOld(from, e.CompactedRevision), CancellationToken.None);
            }
        }
    }

    private static async Task PumpAsync(IStoreWatch watch, ResourceDefinition def, ListQuery query, EventWriter writer, bool bookmarks, long lastRevision, CancellationToken ct)
    {
        var reader = watch.Events;
        var nextBookmark = DateTime.UtcNow + BookmarkInterval;
        while (true)
        {
            var wait = reader.WaitToReadAsync(ct).AsTask();
            if (bookmarks)
            {
                var delay = nextBookmark - DateTime.UtcNow;
                if (delay > TimeSpan.Zero)
                {
                    await Task.WhenAny(wait, Task.Delay(delay, ct));
                }
                if (!wait.IsCompleted)
                {
                    writer.Bookmark(lastRevision, initialEventsEnd: false);
                    await writer.FlushAsync(ct);
                    nextBookmark = DateTime.UtcNow + BookmarkInterval;
                    continue;
                }
            }
            if (!await wait)
            {
                // The store ended the watch: surface its reason (e.g. a compacted, too slow watcher).
                await reader.Completion;
                return;
            }
            while (reader.TryRead(out var e))
            {
                lastRevision = e.Revision;
                WriteEvent(def, query, writer, e);
            }
            await writer.FlushAsync(ct);
        }
    }

    private static void WriteEvent(ResourceDefinition def, ListQuery query, EventWriter writer, StoreEvent e)
    {
        if (!query.HasSelectors)
        {
            var type = e.Type == StoreEventType.Delete ? "DELETED" : e.Previous == null ? "ADDED" : "MODIFIED";
            writer.Write(type, def, e.Kv);
            return;
        }
        var current = StoredObjects.Decode(def, e.Kv);
        var matchesNow = e.Type != StoreEventType.Delete && ObjectRegistry.Matches(def, current, query);
        var matchedBefore = e.Previous != null && ObjectRegistry.Matches(def, StoredObjects.Decode(def, e.Previous), query);
        if (e.Type == StoreEventType.Delete)
        {
            if (matchedBefore || ObjectRegistry.Matches(def, current, query))
            {
                writer.Write("DELETED", current);
            }
            return;
        }
        if (matchesNow)
        {
            writer.Write(matchedBefore ? "MODIFIED" : "ADDED", current);
        }
        else if (matchedBefore)
        {
            writer.Write("DELETED", current);
        }
    }

    private static ApiException TooOld(long requested, long compacted) =>
        ApiException.Gone($"too old resource version: {requested} ({compacted + 1})");

    [LoggerMessage(Level = LogLevel.Information, Message = "watch on {Resource} ended: {Reason}")]
    private static partial void LogWatcherTooSlow(ILogger logger, string resource, string reason);

    /// <summary>Buffers events and writes them to the response in one flush.</summary>
    private sealed class EventWriter(HttpResponse response, ResourceDefinition def, OutputShape shape, IncludeObject include, TimeProvider clock)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);

        public void Write(string type, ResourceDefinition d, KeyValue kv)
        {
            if (shape == OutputShape.Object && d.Converter == null)
            {
                using var w = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
                w.WriteStartObject();
                w.WriteString("type", type);
                w.WritePropertyName("object");
                w.WriteRawValue(ObjectBytes.WithResourceVersion(kv.Value, kv.ModRevision), skipInputValidation: true);
                w.WriteEndObject();
                w.Flush();
                _buffer.Write("\n"u8);
                return;
            }
            Write(type, StoredObjects.Decode(d, kv));
        }

        public void Write(string type, IKubernetesObject<V1ObjectMeta> obj)
        {
            using (var w = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true }))
            {
                w.WriteStartObject();
                w.WriteString("type", type);
                w.WritePropertyName("object");
                switch (shape)
                {
                    case OutputShape.Table:
                        TableWriter.WriteTable(w, def, [obj], obj.Metadata.ResourceVersion, null, null, include, false, clock.GetUtcNow().UtcDateTime);
                        break;
                    case OutputShape.PartialObjectMetadata:
                        TableWriter.WritePartialObjectMetadata(w, obj.Metadata, "meta.k8s.io/v1");
                        break;
                    default:
                        ObjectCodec.Encode(w, obj);
                        break;
                }
                w.WriteEndObject();
            }
            _buffer.Write("\n"u8);
        }

        /// <summary>A BOOKMARK: an object of the watched kind carrying only its resourceVersion.</summary>
        public void Bookmark(long revision, bool initialEventsEnd)
        {
            using (var w = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true }))
            {
                w.WriteStartObject();
                w.WriteString("type", "BOOKMARK");
                w.WriteStartObject("object");
                w.WriteString("kind", shape == OutputShape.Object ? def.Kind : shape == OutputShape.Table ? "Table" : "PartialObjectMetadata");
                w.WriteString("apiVersion", shape == OutputShape.Object ? def.ApiVersion : "meta.k8s.io/v1");
                w.WriteStartObject("metadata");
                w.WriteString("resourceVersion", revision.ToString(CultureInfo.InvariantCulture));
                if (initialEventsEnd)
                {
                    w.WriteStartObject("annotations");
                    w.WriteString("k8s.io/initial-events-end", "true");
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            _buffer.Write("\n"u8);
        }

        public async Task ErrorAsync(ApiException e, CancellationToken ct)
        {
            if (!response.HasStarted)
            {
                response.StatusCode = 200;
                response.ContentType = "application/json";
            }
            using (var w = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true }))
            {
                w.WriteStartObject();
                w.WriteString("type", "ERROR");
                w.WritePropertyName("object");
                StatusJson.Write(w, e.ToStatus());
                w.WriteEndObject();
            }
            _buffer.Write("\n"u8);
            await FlushAsync(ct);
        }

        public async Task FlushAsync(CancellationToken ct)
        {
            if (_buffer.WrittenCount == 0)
            {
                return;
            }
            await response.Body.WriteAsync(_buffer.WrittenMemory, ct);
            await response.Body.FlushAsync(ct);
            _buffer.ResetWrittenCount();
        }
    }
}
