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
        // Upstream's decoder words these "<Kind> in version "<v>" cannot be handled as a <Kind>: ...".
        var version = apiVersion.Contains('/') ? apiVersion[(apiVersion.IndexOf('/') + 1)..] : apiVersion;
        var cannot = $"{bodyKind ?? kind} in version \"{version}\" cannot be handled as a {kind}";
        if (!string.IsNullOrEmpty(bodyKind) && bodyKind != kind)
        {
            throw ApiException.BadRequest($"{cannot}: the kind in the request body ({bodyKind}) does not match the kind of the resource ({kind})");
        }
        if (!string.IsNullOrEmpty(bodyApiVersion) && bodyApiVersion != apiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({bodyApiVersion}) does not match the expected API version ({apiVersion})");
        }
        var type = modelType ?? def.ModelType;
        if (validation != FieldValidation.Ignore)
        {
            var schema = ModelSchemas.For(type);
            var problems = rawJson != null ? UnknownFields.Find(rawJson, schema) : UnknownFields.Find(obj, schema);
            if (problems.Count > 0)
            {
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
        var typed = ObjectCodec.FromNode(obj, type);
        typed.ApiVersion = apiVersion;
        typed.Kind = kind;
        return typed;
    }
}
