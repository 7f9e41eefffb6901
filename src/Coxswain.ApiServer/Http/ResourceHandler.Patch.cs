using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
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
    /// <summary>The four patch types, by Content-Type.</summary>
    private enum PatchType
    {
        Json,
        Merge,
        StrategicMerge,
        Apply,
    }

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
        var result = await registry.UpdateAsync(def, ns, name, subresource, current =>
        {
            var node = ObjectCodec.ToNode(current);
            // The patch pins the resourceVersion only if it names one itself.
            (node["metadata"] as JsonObject)?.Remove("resourceVersion");
            var patched = Patches.Apply(type.ToString(), node, patch, schema);
            return BodyDecoder.ToObject(def, patched, validation, response);
        }, writeOptions, ct);
        await HttpIo.WriteObjectAsync(ctx.Response, 200, result.Object);
    }

    private async Task UpdateScaleAsync(HttpContext ctx, ResourceDefinition def, string? ns, string name, CancellationToken ct)
    {
        var node = await ReadJsonBodyAsync(ctx, ct);
        var scale = (V1Scale)BodyDecoder.ToObject(def, node, FieldValidation.Ignore, ctx.Response, typeof(V1Scale), "autoscaling/v1", "Scale");
        var result = await registry.UpdateAsync(def, ns, name, null, current =>
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
        var result = await registry.UpdateAsync(def, ns, name, null, current =>
        {
            var scaleNode = ObjectCodec.ToNode(ScaleSubresource.ToScale(def, current));
            (scaleNode["metadata"] as JsonObject)?.Remove("resourceVersion");
            var patched = (V1Scale)ObjectCodec.FromNode(Patches.Apply(type.ToString(), scaleNode, patch, schema), typeof(V1Scale));
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

/// <summary>Dispatches to the patch implementations (filled in by Coxswain.Api.Patching).</summary>
internal static class Patches
{
    public static JsonNode Apply(string type, JsonNode current, JsonNode patch, TypeSchema schema) =>
        throw new ApiException(415, "UnsupportedMediaType", $"{type} patches are not supported yet");
}
