using System.Globalization;
using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.Api.Selectors;
using Coxswain.Api.Serialization;
using Coxswain.ApiServer.Registry;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Coxswain.ApiServer.Http;

/// <summary>
/// The REST verbs on resource paths: get, list, watch, create, update, patch, delete,
/// deletecollection, and the status/scale/binding/finalize subresources.
/// </summary>
internal sealed partial class ResourceHandler(ObjectRegistry registry, WatchHandler watches, ApiServerOptions options)
{
    private readonly PodStreams.PodStreamHandler _podStreams = new(registry);
    private ResourceCatalog Catalog => registry.Catalog;

    public async Task HandleAsync(HttpContext ctx, RequestInfo info)
    {
        var def = Catalog.Find(info.Group, info.Version, info.Resource)
            ?? throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        if ((!def.Namespaced && info.Namespace != null) || (info.Subresource != null && !def.Subresources.Contains(info.Subresource)))
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        var ns = def.Namespaced ? info.Namespace : null;
        var method = ctx.Request.Method;
        var ct = ctx.RequestAborted;

        if (info.Name == null)
        {
            switch (method)
            {
                case "GET" when IsWatch(ctx.Request):
                    await watches.ServeAsync(ctx, def, ns, ParseListQuery(ctx.Request, def), ct);
                    return;
                case "GET":
                    await ListAsync(ctx, def, ns, ct);
                    return;
                case "POST" when ns != null || !def.Namespaced:
                    await CreateAsync(ctx, def, ns, ct);
                    return;
                case "DELETE":
                    await DeleteCollectionAsync(ctx, def, ns, ct);
                    return;
            }
            throw MethodNotAllowed();
        }
        if (def.Namespaced && ns == null)
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        if (PodStreams.PodStreamHandler.Serves(def, info.Subresource))
        {
            await _podStreams.ServeAsync(ctx, ns!, info.Name, info.Subresource!, ct);
            return;
        }
        switch (method, info.Subresource)
        {
            case ("GET", null or "status"):
                await GetAsync(ctx, def, ns, info.Name, ct);
                return;
            case ("GET", "scale"):
                await HttpIo.WriteObjectAsync(ctx.Response, 200, ScaleSubresource.ToScale(def, await registry.GetAsync(def, ns, info.Name, ct)));
                return;
            case ("PUT", "scale"):
                await UpdateScaleAsync(ctx, def, ns, info.Name, ct);
                return;
            case ("PATCH", "scale"):
                await PatchScaleAsync(ctx, def, ns, info.Name, ct);
                return;
            case ("PUT", null or "status" or "finalize"):
                await UpdateAsync(ctx, def, ns, info.Name, info.Subresource, ct);
                return;
            case ("PATCH", null or "status"):
                await PatchAsync(ctx, def, ns, info.Name, info.Subresource, ct);
                return;
            case ("POST", "binding"):
                await BindAsync(ctx, def, ns!, info.Name, ct);
                return;
            case ("POST", "eviction"):
                await EvictAsync(ctx, def, ns!, info.Name, ct);
                return;
            case ("DELETE", null):
                await DeleteAsync(ctx, def, ns, info.Name, ct);
                return;
        }
        throw MethodNotAllowed();
    }

    private static ApiException MethodNotAllowed() =>
        ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");

    private static bool IsWatch(HttpRequest request) =>
        request.Query["watch"].ToString() is "true" or "1";

    private async Task GetAsync(HttpContext ctx, ResourceDefinition def, string? ns, string name, CancellationToken ct)
    {
        var kv = await registry.GetRawAsync(def, ns, name, ct);
        switch (Negotiation.Shape(ctx.Request))
        {
            case OutputShape.Table:
                var obj = StoredObjects.Decode(def, kv);
                var include = TableWriter.ParseInclude(ctx.Request.Query["includeObject"]);
                await HttpIo.WriteJsonAsync(ctx.Response, 200, w => TableWriter.WriteTable(
                    w, def, [obj], obj.Metadata.ResourceVersion, null, null, include, NoHeaders(ctx.Request), registry.Clock.GetUtcNow().UtcDateTime));
                return;
            case OutputShape.PartialObjectMetadata:
                var partial = StoredObjects.Decode(def, kv);
                await HttpIo.WriteJsonAsync(ctx.Response, 200, w => TableWriter.WritePartialObjectMetadata(w, partial.Metadata, "meta.k8s.io/v1"));
                return;
            default:
                await HttpIo.WriteBytesAsync(ctx.Response, 200, StoredObjects.Served(def, kv.Value, kv.ModRevision));
                return;
        }
    }

    private static bool NoHeaders(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("noHeaders", StringComparison.Ordinal) || request.Query["noHeaders"] == "true";

    private async Task ListAsync(HttpContext ctx, ResourceDefinition def, string? ns, CancellationToken ct)
    {
        var query = ParseListQuery(ctx.Request, def);
        var shape = Negotiation.Shape(ctx.Request);
        var page = await registry.ListAsync(def, ns, query, ct);
        var rv = page.Revision.ToString(CultureInfo.InvariantCulture);
        switch (shape)
        {
            case OutputShape.Table:
                var include = TableWriter.ParseInclude(ctx.Request.Query["includeObject"]);
                var objects = page.Items.Select(i => i.Object).ToList();
                await HttpIo.WriteJsonAsync(ctx.Response, 200, w => TableWriter.WriteTable(
                    w, def, objects, rv, page.Continue, page.RemainingItemCount, include, NoHeaders(ctx.Request), registry.Clock.GetUtcNow().UtcDateTime));
                return;
            case OutputShape.PartialObjectMetadata:
                await HttpIo.WriteJsonAsync(ctx.Response, 200, w => TableWriter.WritePartialObjectMetadataList(
                    w, page.Items.Select(i => i.Object.Metadata), "meta.k8s.io/v1", rv, page.Continue, page.RemainingItemCount));
                return;
        }
        await HttpIo.WriteJsonAsync(ctx.Response, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("kind", def.Kind + "List");
            w.WriteString("apiVersion", def.ApiVersion);
            w.WriteStartObject("metadata");
            w.WriteString("resourceVersion", rv);
            if (page.Continue != null)
            {
                w.WriteString("continue", page.Continue);
            }
            if (page.RemainingItemCount != null)
            {
                w.WriteNumber("remainingItemCount", page.RemainingItemCount.Value);
            }
            w.WriteEndObject();
            w.WriteStartArray("items");
            foreach (var item in page.Items)
            {
                w.WriteRawValue(item.ListItemJson(), skipInputValidation: true);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public static ListQuery ParseListQuery(HttpRequest request, ResourceDefinition def)
    {
        var q = request.Query;
        var fields = FieldSelector.Parse(q["fieldSelector"]);
        if (!fields.IsEverything)
        {
            fields = FieldSelectors.Convert(def.Group, def.Kind, fields);
        }
        var limit = 0;
        if (q.TryGetValue("limit", out var l) && !string.IsNullOrEmpty(l) && (!int.TryParse(l, out limit) || limit < 0))
        {
            throw ApiException.BadRequest($"limit: Invalid value: \"{l}\": must be a non-negative integer");
        }
        var match = q["resourceVersionMatch"].ToString();
        if (match is not ("" or "Exact" or "NotOlderThan"))
        {
            throw ApiException.BadRequest($"resourceVersionMatch: Unsupported value: \"{match}\": supported values: \"Exact\", \"NotOlderThan\"");
        }
        return new ListQuery
        {
            Labels = LabelSelector.Parse(q["labelSelector"]),
            Fields = fields,
            Limit = limit,
            Continue = NullIfEmpty(q["continue"]),
            ResourceVersion = NullIfEmpty(q["resourceVersion"]),
            ResourceVersionMatch = NullIfEmpty(match),
        };
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private WriteOptions ParseWriteOptions(HttpRequest request, string defaultManager)
    {
        var dryRun = request.Query["dryRun"];
        foreach (var d in dryRun)
        {
            if (d != "All")
            {
                throw ApiException.BadRequest($"dryRun: Unsupported value: \"{d}\": supported values: \"All\"");
            }
        }
        var manager = request.Query["fieldManager"].ToString();
        if (manager.Length > 128)
        {
            throw ApiException.BadRequest("fieldManager: Too long: may not be more than 128 bytes");
        }
        return new WriteOptions
        {
            DryRun = dryRun.Count > 0,
            FieldManager = manager.Length > 0 ? manager : DefaultFieldManager(request, defaultManager),
        };
    }

    /// <summary>Upstream names a manager after the user agent's program name when none is given.</summary>
    private static string DefaultFieldManager(HttpRequest request, string fallback)
    {
        var agent = request.Headers.UserAgent.ToString();
        var slash = agent.IndexOf('/');
        var name = slash > 0 ? agent[..slash] : agent;
        return string.IsNullOrEmpty(name) ? fallback : name;
    }

    /// <summary>The parsed body (JSON, YAML or protobuf), for bodies that are not the endpoint's own kind.</summary>
    private async Task<JsonNode> ReadJsonBodyAsync(HttpContext ctx, CancellationToken ct)
    {
        var body = await HttpIo.ReadBodyAsync(ctx.Request, options.MaxRequestBodyBytes, ct);
        return BodyDecoder.Parse(body, ctx.Request.ContentType);
    }

    /// <summary>The typed object of a create or update body, decoded from JSON bytes directly when it is JSON.</summary>
    private async Task<IKubernetesObject<V1ObjectMeta>> ReadObjectAsync(HttpContext ctx, ResourceDefinition def, CancellationToken ct)
    {
        var body = await HttpIo.ReadBodyAsync(ctx.Request, options.MaxRequestBodyBytes, ct);
        var validation = BodyDecoder.ParseFieldValidation(ctx.Request.Query["fieldValidation"]);
        if (ObjectCodec.MediaType(ctx.Request.ContentType) == HttpIo.Json && body.Length > 0)
        {
            return BodyDecoder.ToObject(def, body, validation, ctx.Response);
        }
        return BodyDecoder.ToObject(def, BodyDecoder.Parse(body, ctx.Request.ContentType), validation, ctx.Response);
    }

    private async Task CreateAsync(HttpContext ctx, ResourceDefinition def, string? ns, CancellationToken ct)
    {
        var obj = await ReadObjectAsync(ctx, def, ct);
        var result = await registry.CreateAsync(def, ns, obj, ParseWriteOptions(ctx.Request, "unknown"), ct);
        await HttpIo.WriteResultAsync(ctx.Response, 201, def, result);
    }

    private async Task UpdateAsync(HttpContext ctx, ResourceDefinition def, string? ns, string name, string? subresource, CancellationToken ct)
    {
        var obj = await ReadObjectAsync(ctx, def, ct);
        var writeOptions = ParseWriteOptions(ctx.Request, "unknown");
        var result = await registry.UpdateAsync(def, ns, name, subresource, current =>
        {
            if (subresource == "finalize" && obj is V1Namespace desiredNs && current is V1Namespace currentNs)
            {
                // finalize changes spec.finalizers only.
                currentNs.Spec ??= new V1NamespaceSpec();
                currentNs.Spec.Finalizers = desiredNs.Spec?.Finalizers;
                currentNs.Metadata.ResourceVersion = desiredNs.Metadata?.ResourceVersion;
                return currentNs;
            }
            return obj;
        }, writeOptions, ct);
        await HttpIo.WriteResultAsync(ctx.Response, 200, def, result);
    }

    private async Task BindAsync(HttpContext ctx, ResourceDefinition def, string ns, string name, CancellationToken ct)
    {
        var node = await ReadJsonBodyAsync(ctx, ct);
        var binding = (V1Binding)BodyDecoder.ToObject(def, node, FieldValidation.Ignore, ctx.Response, typeof(V1Binding), "v1", "Binding");
        var target = binding.Target?.Name;
        if (string.IsNullOrEmpty(target))
        {
            throw ApiException.Invalid("Binding", "", name, [FieldError.Required("target.name")]);
        }
        await registry.UpdateAsync(def, ns, name, "binding", current =>
        {
            var pod = (V1Pod)current;
            if (pod.Metadata.DeletionTimestamp != null)
            {
                throw ApiException.Conflict("pods", "", name, "pod is being deleted, cannot be assigned to a host");
            }
            if (!string.IsNullOrEmpty(pod.Spec.NodeName))
            {
                throw ApiException.Conflict("pods", "", name, $"pod {name} is already assigned to node \"{pod.Spec.NodeName}\"");
            }
            if (!string.IsNullOrEmpty(binding.Metadata?.Uid) && binding.Metadata.Uid != pod.Metadata.Uid)
            {
                throw ApiException.Conflict("pods", "", name, $"Precondition failed: UID in precondition: {binding.Metadata.Uid}, UID in object meta: {pod.Metadata.Uid}");
            }
            pod.Spec.NodeName = target;
            pod.Metadata.ResourceVersion = null;
            pod.Status ??= new V1PodStatus();
            pod.Status.Conditions ??= [];
            var scheduled = pod.Status.Conditions.FirstOrDefault(c => c.Type == "PodScheduled");
            if (scheduled == null)
            {
                scheduled = new V1PodCondition { Type = "PodScheduled" };
                pod.Status.Conditions.Add(scheduled);
            }
            scheduled.Status = "True";
            scheduled.Reason = null;
            scheduled.Message = null;
            scheduled.LastTransitionTime = WriteRules.TruncateToSeconds(registry.Clock.GetUtcNow().UtcDateTime);
            return pod;
            // Upstream's binding leaves the pod's managedFields alone (no entry owns the PodScheduled condition).
        }, ParseWriteOptions(ctx.Request, "unknown") with { ManagedFieldsDone = true }, ct);
        await HttpIo.WriteBytesAsync(ctx.Response, 201, StatusJson.Encode(HttpIo.Success(null, null, "", null)));
    }
}
