using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using Coxswain.Api.Patching;
using Coxswain.Api.Resources;
using Coxswain.Api.Schema;
using Coxswain.Api.Serialization;
using Coxswain.ApiServer.Registry;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Coxswain.ApiServer.Http;

internal sealed partial class ResourceHandler
{
    private static PatchType ParsePatchType(string? contentType) => ObjectCodec.MediaType(contentType) switch
    {
        "application/json-patch+json" => PatchType.Json,
        "application/merge-patch+json" => PatchType.Merge,
        "application/strategic-merge-patch+json" => PatchType.StrategicMerge,
        "application/apply-patch+yaml" or "application/apply-patch+json" => PatchType.Apply,
        _ => throw new ApiException(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"),
    };

    private async Task PatchAsync(HttpContext ctx, ResourceDefinition def, string? ns, string name, string? subresource, CancellationToken ct)
    {
        var type = ParsePatchType(ctx.Request.ContentType);
        var body = await HttpIo.ReadBodyAsync(ctx.Request, options.MaxRequestBodyBytes, ct);
        var patch = ObjectCodec.ParseBody(body, type == PatchType.Apply ? "application/apply-patch+yaml" : "application/json");
        var validation = BodyDecoder.ParseFieldValidation(ctx.Request.Query["fieldValidation"]);
        var writeOptions = ParseWriteOptions(ctx.Request, "unknown");
        var schema = ModelSchemas.For(def.ModelType);
        var response = ctx.Response;
        if (type == PatchType.Apply)
        {
            await ApplyAsync(ctx, def, ns, name, subresource, patch, schema, validation, writeOptions, ct);
            return;
        }
        var result = await registry.UpdateAsync(def, ns, name, subresource, current =>
        {
            var node = ObjectCodec.ToNode(current);
            // The patch pins the resourceVersion only if it names one itself.
            (node["metadata"] as JsonObject)?.Remove("resourceVersion");
            var patched = Patches.Apply(type, node, patch, schema);
            try
            {
                return BodyDecoder.ToObject(def, patched, validation, response);
            }
            catch (ApiException e) when (e.Code == 400 && e.Message.StartsWith(ObjectCodec.DecodeErrorPrefix, StringComparison.Ordinal))
            {
                // Upstream (jsonPatcher/smpPatcher): a patched object that does not decode is 422 Invalid on the field
                // "patch", with the patched object as the value, kind and name left empty.
                throw ApiException.Invalid("", null, "",
                    [FieldError.Invalid("patch", patched.ToJsonString(), e.Message[ObjectCodec.DecodeErrorPrefix.Length..])]);
            }
        }, writeOptions, ct);
        await HttpIo.WriteResultAsync(ctx.Response, 200, def, result);
    }

    /// <summary>
    /// Server-side apply: merges the applied configuration into the live object (or creates it)
    /// with managedFields ownership and conflict detection.
    /// </summary>
    private async Task ApplyAsync(HttpContext ctx, ResourceDefinition def, string? ns, string name, string? subresource,
        JsonNode patch, TypeSchema schema, FieldValidation validation, WriteOptions writeOptions, CancellationToken ct)
    {
        if (patch is not JsonObject applied)
        {
            throw ApiException.BadRequest("the applied configuration must be an object");
        }
        if (string.IsNullOrEmpty(ctx.Request.Query["fieldManager"]))
        {
            throw ApiException.BadRequest("PATCH, application/apply-patch+yaml: fieldManager is required for apply requests");
        }
        var force = ctx.Request.Query["force"].ToString() == "true";
        var now = registry.Clock.GetUtcNow().UtcDateTime;
        var applyOptions = new FieldManagerOptions
        {
            Subresource = subresource,
            ResetFields = WriteRules.ResetFields(def, subresource),
            ApiVersion = def.ApiVersion,
            Kind = def.Kind,
        };
        var options = writeOptions with { ManagedFieldsDone = true };
        var response = ctx.Response;
        try
        {
            var result = await registry.UpdateAsync(def, ns, name, subresource, current =>
            {
                var live = ObjectCodec.ToNode(current);
                (live["metadata"] as JsonObject)?.Remove("resourceVersion");
                var merged = ServerSideApply.Apply(live, applied, schema, writeOptions.FieldManager, force, now, applyOptions);
                return BodyDecoder.ToObject(def, merged, validation, response);
            }, options, ct);
            await HttpIo.WriteResultAsync(ctx.Response, 200, def, result);
        }
        catch (ApiException e) when (e.Code == 404 && subresource == null && e.Details?.Name == name)
        {
            // Apply creates what does not exist yet.
            var merged = ServerSideApply.Apply(null, applied, schema, writeOptions.FieldManager, force, now, applyOptions);
            var obj = BodyDecoder.ToObject(def, merged, validation, response);
            obj.Metadata ??= new V1ObjectMeta();
            if (string.IsNullOrEmpty(obj.Metadata.Name))
            {
                obj.Metadata.Name = name;
            }
            var created = await registry.CreateAsync(def, ns, obj, options, ct);
            await HttpIo.WriteResultAsync(ctx.Response, 201, def, created);
        }
    }

    private async Task UpdateScaleAsync(HttpContext ctx, ResourceDefinition def, string? ns, string name, CancellationToken ct)
    {
        var node = await ReadJsonBodyAsync(ctx, ct);
        var scale = (V1Scale)BodyDecoder.ToObject(def, node, FieldValidation.Ignore, ctx.Response, typeof(V1Scale), "autoscaling/v1", "Scale");
        var result = await registry.UpdateAsync(def, ns, name, "scale", current =>
        {
            if (!string.IsNullOrEmpty(scale.Metadata?.ResourceVersion) && scale.Metadata.ResourceVersion != current.Metadata.ResourceVersion)
            {
                throw ApiException.Conflict(def.QualifiedPlural, null, name, "the object has been modified; please apply your changes to the latest version and try again");
            }
            ScaleSubresource.SetReplicas(current, scale.Spec?.Replicas ?? 0);
            current.Metadata.ResourceVersion = null;
            return current;
        }, ParseWriteOptions(ctx.Request, "unknown"), ct);
        await HttpIo.WriteObjectAsync(ctx.Response, 200, ScaleSubresource.ToScale(def, result.Object));
    }

    private async Task PatchScaleAsync(HttpContext ctx, ResourceDefinition def, string? ns, string name, CancellationToken ct)
    {
        var type = ParsePatchType(ctx.Request.ContentType);
        var body = await HttpIo.ReadBodyAsync(ctx.Request, options.MaxRequestBodyBytes, ct);
        var patch = ObjectCodec.ParseBody(body, type == PatchType.Apply ? "application/apply-patch+yaml" : "application/json");
        var schema = ModelSchemas.For(typeof(V1Scale));
        var result = await registry.UpdateAsync(def, ns, name, "scale", current =>
        {
            var scaleNode = ObjectCodec.ToNode(ScaleSubresource.ToScale(def, current));
            (scaleNode["metadata"] as JsonObject)?.Remove("resourceVersion");
            var patched = (V1Scale)ObjectCodec.FromNode(Patches.Apply(type, scaleNode, patch, schema), typeof(V1Scale));
            if (!string.IsNullOrEmpty(patched.Metadata?.ResourceVersion) && patched.Metadata.ResourceVersion != current.Metadata.ResourceVersion)
            {
                throw ApiException.Conflict(def.QualifiedPlural, null, name, "the object has been modified; please apply your changes to the latest version and try again");
            }
            ScaleSubresource.SetReplicas(current, patched.Spec?.Replicas ?? 0);
            current.Metadata.ResourceVersion = null;
            return current;
        }, ParseWriteOptions(ctx.Request, "unknown"), ct);
        await HttpIo.WriteObjectAsync(ctx.Response, 200, ScaleSubresource.ToScale(def, result.Object));
    }
}

/// <summary>Applies a JSON, merge or strategic merge patch to an object's JSON.</summary>
internal static class Patches
{
    public static JsonNode Apply(PatchType type, JsonNode current, JsonNode patch, TypeSchema schema) => type switch
    {
        PatchType.Json => JsonPatch.Apply(current, patch),
        PatchType.Merge => MergePatch.Apply(current, patch),
        PatchType.StrategicMerge => StrategicMergePatch.Apply(current, patch, schema),
        _ => throw ApiException.BadRequest($"unsupported patch type {type}"),
    };
}

/// <summary>The four patch types, by Content-Type.</summary>
internal enum PatchType
{
    Json,
    Merge,
    StrategicMerge,
    Apply,
}
