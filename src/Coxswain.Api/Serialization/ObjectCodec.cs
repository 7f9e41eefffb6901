using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Serialization;

/// <summary>
/// JSON (and YAML) encoding of API objects with the official models' serializer settings
/// (RFC 3339 times, quantities, int-or-string, nulls omitted).
/// </summary>
public static class ObjectCodec
{
    /// <summary>The KubernetesClient serializer options (captured once; they are shared and read-only after).</summary>
    public static JsonSerializerOptions Options { get; } = CaptureOptions();

    private static JsonSerializerOptions CaptureOptions()
    {
        JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(o => captured = o);
        return captured ?? throw new InvalidOperationException("KubernetesJson options not available");
    }

    public static byte[] Encode(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public static void Encode(Utf8JsonWriter writer, object obj) => JsonSerializer.Serialize(writer, obj, obj.GetType(), Options);

    public static JsonObject ToNode(object obj) =>
        JsonSerializer.SerializeToNode(obj, obj.GetType(), Options) as JsonObject
        ?? throw new InvalidOperationException("object did not serialise to a JSON object");

    public static T Decode<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<T>(json, Options)!;

    public static IKubernetesObject<V1ObjectMeta> Decode(ReadOnlySpan<byte> json, Type type) =>
        (IKubernetesObject<V1ObjectMeta>)JsonSerializer.Deserialize(json, type, Options)!;

    /// <summary>
    /// Typed object from a parsed body. Type mismatches become 400 BadRequest worded like
    /// upstream's decoder errors; unknown fields are dropped (strict checking happens before).
    /// </summary>
    public static IKubernetesObject<V1ObjectMeta> FromNode(JsonNode node, Type type)
    {
        try
        {
            return (IKubernetesObject<V1ObjectMeta>)(node.Deserialize(type, Options)
                ?? throw ApiException.BadRequest("the object is empty"));
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest(DecodeErrorPrefix + DecodeMessage(e));
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest(DecodeErrorPrefix + (IsQuantityError(e) ? QuantityFormatWrong : e.Message));
        }
        catch (InvalidOperationException e)
        {
            throw ApiException.BadRequest(DecodeErrorPrefix + e.Message);
        }
    }

    /// <summary>How <see cref="FromNode"/> starts the message of a body that does not decode into the model.</summary>
    public const string DecodeErrorPrefix = "unable to decode the request body: ";

    /// <summary>Upstream's <c>resource.ErrFormatWrong</c>, for a malformed quantity ("abc" as a cpu amount).</summary>
    public const string QuantityFormatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    // The client's ResourceQuantity parses in its constructor and lets the parser's FormatException through
    // ("The string 'abc' cannot be converted to fraction."), with nothing but the stack to say where it came from.
    private static bool IsQuantityError(FormatException e) => e.StackTrace?.Contains("ResourceQuantity", StringComparison.Ordinal) == true;

    private static string DecodeMessage(JsonException e)
    {
        var path = e.Path is { Length: > 2 } p ? p[2..] : e.Path;
        return path == null ? e.Message : $"json: cannot unmarshal the value at \"{path}\": {e.Message.Split(" Path:")[0]}";
    }

    /// <summary>
    /// Parses a request body as JSON or YAML (by content type) into a JSON node.
    /// Malformed input is a 400 BadRequest.
    /// </summary>
    public static JsonNode ParseBody(ReadOnlySpan<byte> body, string? contentType)
    {
        if (body.IsEmpty)
        {
            throw ApiException.BadRequest("the request body is empty");
        }
        var media = MediaType(contentType);
        if (media is "application/yaml" or "application/apply-patch+yaml" or "text/yaml" or "application/x-yaml")
        {
            return YamlToJson.Parse(body);
        }
        try
        {
            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 256 })
                ?? throw ApiException.BadRequest("the request body is null");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The media type without parameters, lower case ("application/json").</summary>
    public static string MediaType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return "application/json";
        }
        var semi = contentType.IndexOf(';');
        return (semi < 0 ? contentType : contentType[..semi]).Trim().ToLowerInvariant();
    }
}
