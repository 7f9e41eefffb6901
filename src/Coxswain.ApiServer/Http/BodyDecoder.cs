using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using Coxswain.Api.Protobuf;
using Coxswain.Api.Resources;
using Coxswain.Api.Schema;
using Coxswain.Api.Serialization;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Coxswain.ApiServer.Http;

/// <summary>How unknown and duplicate fields are treated (?fieldValidation=).</summary>
internal enum FieldValidation
{
    Ignore,
    Warn,
    Strict,
}

/// <summary>Turns request bodies into typed objects, with upstream's checks and messages.</summary>
internal static class BodyDecoder
{
    public static FieldValidation ParseFieldValidation(string? value) => value switch
    {
        null or "" or "Warn" => FieldValidation.Warn,
        "Strict" => FieldValidation.Strict,
        "Ignore" => FieldValidation.Ignore,
        _ => throw ApiException.BadRequest($"fieldValidation parameter unsupported: {value}"),
    };

    /// <summary>Parses a body of any supported content type into JSON.</summary>
    public static JsonNode Parse(byte[] body, string? contentType)
    {
        var media = ObjectCodec.MediaType(contentType);
        if (ProtobufCodec.IsProtobuf(media))
        {
            return ProtobufCodec.Decode(body);
        }
        return media switch
        {
            "application/json" or "application/yaml" or "text/yaml" or "application/x-yaml" or "*/*" => ObjectCodec.ParseBody(body, media),
            _ => throw ApiException.UnsupportedMediaType(contentType ?? ""),
        };
    }

    /// <summary>
    /// Checks apiVersion/kind against the endpoint, applies field validation and decodes the
    /// typed object of <paramref name="def"/>'s version.
    /// </summary>
    /// <summary>
    /// The typed object of a JSON body, decoded straight from its bytes (the common case: no
    /// intermediate JSON tree). Malformed or mistyped bodies take the tree path for upstream's messages.
    /// </summary>
    public static IKubernetesObject<V1ObjectMeta> ToObject(ResourceDefinition def, byte[] json, FieldValidation validation, HttpResponse response)
    {
        IKubernetesObject<V1ObjectMeta>? typed = null;
        try
        {
            typed = ObjectCodec.Decode(json, def.ModelType);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException or InvalidCastException)
        {
        }
        if (typed == null)
        {
            return ToObject(def, ObjectCodec.ParseBody(json, "application/json"), validation, response, rawJson: json);
        }
        var cannot = CheckTypeMeta(def.ApiVersion, def.Kind, typed.ApiVersion, typed.Kind);
        if (validation != FieldValidation.Ignore)
        {
            Report(UnknownFields.Find(json, ModelSchemas.For(def.ModelType)), validation, cannot, response);
        }
        typed.ApiVersion = def.ApiVersion;
        typed.Kind = def.Kind;
        return typed;
    }

    /// <param name="rawJson">The body as received when it was JSON: duplicates are found only there.</param>
    public static IKubernetesObject<V1ObjectMeta> ToObject(ResourceDefinition def, JsonNode node, FieldValidation validation, HttpResponse response, Type? modelType = null, string? expectedApiVersion = null, string? expectedKind = null, byte[]? rawJson = null)
    {
        if (node is not JsonObject obj)
        {
            throw ApiException.BadRequest("the request body must be a JSON object");
        }
        var apiVersion = expectedApiVersion ?? def.ApiVersion;
        var kind = expectedKind ?? def.Kind;
        var bodyApiVersion = obj["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var a) ? a : null;
        var bodyKind = obj["kind"] is JsonValue kv && kv.TryGetValue<string>(out var k) ? k : null;
        var cannot = CheckTypeMeta(apiVersion, kind, bodyApiVersion, bodyKind);
        var type = modelType ?? def.ModelType;
        if (validation != FieldValidation.Ignore)
        {
            var schema = ModelSchemas.For(type);
            Report(rawJson != null ? UnknownFields.Find(rawJson, schema) : UnknownFields.Find(obj, schema), validation, cannot, response);
        }
        var typed = ObjectCodec.FromNode(obj, type);
        typed.ApiVersion = apiVersion;
        typed.Kind = kind;
        return typed;
    }

    /// <summary>
    /// Checks the body's apiVersion and kind against the endpoint's; returns upstream's
    /// "&lt;Kind&gt; in version "v" cannot be handled as a &lt;Kind&gt;" prefix for later errors.
    /// </summary>
    private static string CheckTypeMeta(string apiVersion, string kind, string? bodyApiVersion, string? bodyKind)
    {
        var version = apiVersion.Contains('/') ? apiVersion[(apiVersion.IndexOf('/') + 1)..] : apiVersion;
        var cannot = $"{(string.IsNullOrEmpty(bodyKind) ? kind : bodyKind)} in version \"{version}\" cannot be handled as a {kind}";
        if (!string.IsNullOrEmpty(bodyKind) && bodyKind != kind)
        {
            throw ApiException.BadRequest($"{cannot}: the kind in the request body ({bodyKind}) does not match the kind of the resource ({kind})");
        }
        if (!string.IsNullOrEmpty(bodyApiVersion) && bodyApiVersion != apiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({bodyApiVersion}) does not match the expected API version ({apiVersion})");
        }
        return cannot;
    }

    /// <summary>Unknown or duplicate fields: 400 under Strict, Warning headers under Warn.</summary>
    private static void Report(IReadOnlyList<string> problems, FieldValidation validation, string cannot, HttpResponse response)
    {
        if (problems.Count == 0)
        {
            return;
        }
        if (validation == FieldValidation.Strict)
        {
            throw ApiException.BadRequest($"{cannot}: strict decoding error: " + string.Join(", ", problems));
        }
        foreach (var p in problems)
        {
            response.Headers.Append("Warning", $"299 - \"{p.Replace("\"", "\\\"")}\"");
        }
    }
}
