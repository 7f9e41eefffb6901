using System.Text.Json;
using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.Api.Serialization;
using Coxswain.ApiServer.Registry;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Coxswain.ApiServer.Http;

internal sealed partial class ResourceHandler
{
    /// <summary>Kinds whose delete answers with the deleted object rather than a Status (upstream's ReturnDeletedObject).</summary>
    private static readonly HashSet<string> ReturnsDeletedObject = ["Pod", "Namespace", "Service", "PersistentVolume", "PersistentVolumeClaim", "Node"];

    private async Task<DeleteRequest> ParseDeleteRequestAsync(HttpContext ctx, CancellationToken ct)
    {
        var q = ctx.Request.Query;
        V1DeleteOptions? body = null;
        if (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            var bytes = await HttpIo.ReadBodyAsync(ctx.Request, options.MaxRequestBodyBytes, ct);
            if (bytes.Length > 0)
            {
                var node = BodyDecoder.Parse(bytes, ctx.Request.ContentType);
                try
                {
                    body = node.Deserialize<V1DeleteOptions>(ObjectCodec.Options);
                }
                catch (JsonException e)
                {
                    throw ApiException.BadRequest($"unable to decode DeleteOptions: {e.Message}");
                }
            }
        }
        return ToDeleteRequest(body, q);
    }

    /// <summary>Delete options from a body (or an eviction's deleteOptions) and the query, which wins.</summary>
    private static DeleteRequest ToDeleteRequest(V1DeleteOptions? body, IQueryCollection q)
    {
        long? grace = body?.GracePeriodSeconds;
        if (q.TryGetValue("gracePeriodSeconds", out var g) && !string.IsNullOrEmpty(g))
        {
            grace = long.TryParse(g, out var parsed) ? parsed : throw ApiException.BadRequest($"gracePeriodSeconds: Invalid value: \"{g}\"");
        }
        var policy = q.TryGetValue("propagationPolicy", out var p) && !string.IsNullOrEmpty(p) ? p.ToString() : body?.PropagationPolicy;
        if (body?.OrphanDependents is bool orphan && policy == null)
        {
            policy = orphan ? "Orphan" : "Background";
        }
        if (policy is not (null or "Orphan" or "Foreground" or "Background"))
        {
            throw ApiException.Invalid("DeleteOptions", "", "", [FieldError.NotSupported("propagationPolicy", policy, ["Foreground", "Background", "Orphan", "nil"])]);
        }
        var dryRun = q["dryRun"].Count > 0 || (body?.DryRun?.Count ?? 0) > 0;
        foreach (var d in q["dryRun"].Concat(body?.DryRun ?? []))
        {
            if (d != "All")
            {
                throw ApiException.BadRequest($"dryRun: Unsupported value: \"{d}\": supported values: \"All\"");
            }
        }
        return new DeleteRequest
        {
            DryRun = dryRun,
            GracePeriodSeconds = grace,
            PropagationPolicy = policy,
            PreconditionUid = body?.Preconditions?.Uid,
            PreconditionResourceVersion = body?.Preconditions?.ResourceVersion,
        };
    }

    private async Task DeleteAsync(HttpContext ctx, ResourceDefinition def, string? ns, string name, CancellationToken ct)
    {
        var req = await ParseDeleteRequestAsync(ctx, ct);
        var result = await registry.DeleteAsync(def, ns, name, req, ct);
        if (!result.Deleted || ReturnsDeletedObject.Contains(def.Kind))
        {
            await HttpIo.WriteObjectAsync(ctx.Response, 200, result.Object);
            return;
        }
        await HttpIo.WriteBytesAsync(ctx.Response, 200, StatusJson.Encode(HttpIo.Success(name, def.Group, def.Plural, result.Object.Metadata.Uid)));
    }

    private async Task DeleteCollectionAsync(HttpContext ctx, ResourceDefinition def, string? ns, CancellationToken ct)
    {
        var req = await ParseDeleteRequestAsync(ctx, ct);
        var query = ParseListQuery(ctx.Request, def) with { Limit = 0, Continue = null };
        var page = await registry.ListAsync(def, ns, query, ct);
        var deleted = new List<k8s.IKubernetesObject<V1ObjectMeta>>();
        foreach (var item in page.Items)
        {
            try
            {
                var meta = item.Object.Metadata;
                deleted.Add((await registry.DeleteAsync(def, meta.NamespaceProperty, meta.Name, req, ct)).Object);
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Gone meanwhile: that is what was asked.
            }
        }
        await HttpIo.WriteJsonAsync(ctx.Response, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("kind", def.Kind + "List");
            w.WriteString("apiVersion", def.ApiVersion);
            w.WriteStartObject("metadata");
            w.WriteEndObject();
            w.WriteStartArray("items");
            foreach (var obj in deleted)
            {
                ObjectCodec.Encode(w, obj);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
