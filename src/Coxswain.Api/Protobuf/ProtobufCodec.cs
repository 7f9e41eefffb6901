using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Api.Errors;

namespace Coxswain.Api.Protobuf;

/// <summary>
/// Kubernetes' protobuf content type (application/vnd.kubernetes.protobuf), which kubectl 1.32+
/// uses for the bodies of `kubectl create deployment|configmap|secret|...`, `autoscale`,
/// `auth can-i` and `create token`. A body is the magic "k8s\0" followed by a runtime.Unknown
/// {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType} whose raw
/// bytes are the object's message (k8s.io/api/&lt;group&gt;/&lt;version&gt;/generated.proto).
/// Decoding turns it into the JSON Go would write for the same object, so the rest of the server
/// handles it like any JSON body; encoding does the reverse for responses.
/// </summary>
public static class ProtobufCodec
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private const int MaxEnvelopeDepth = 8;

    /// <summary>The four bytes every protobuf body starts with.</summary>
    internal static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>Whether a Content-Type (or Accept entry) names the protobuf media type, with any parameters.</summary>
    public static bool IsProtobuf(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }
        var media = contentType.AsSpan();
        var semi = media.IndexOf(';');
        if (semi >= 0)
        {
            media = media[..semi];
        }
        return media.Trim().Equals(MediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether objects of this kind can be decoded from and encoded to protobuf.</summary>
    public static bool Supports(string? apiVersion, string? kind) => ProtoSchema.Default.ForKind(apiVersion, kind) != null;

    /// <summary>
    /// Decodes a protobuf request body into a JSON object with apiVersion and kind first.
    /// Malformed bodies and kinds outside the table are a 400 BadRequest.
    /// </summary>
    public static JsonObject Decode(ReadOnlySpan<byte> body) => DecodeEnvelope(body, 0);

    internal static JsonObject DecodeEnvelope(ReadOnlySpan<byte> body, int depth)
    {
        if (!body.StartsWith(Magic))
        {
            throw ApiException.BadRequest("the request body is not a protobuf object: it does not start with the \"k8s\\x00\" prefix");
        }
        if (depth > MaxEnvelopeDepth)
        {
            throw ProtoReader.Malformed("objects are nested too deeply");
        }
        var reader = new ProtoReader(body[Magic.Length..]);
        string apiVersion = "", kind = "", contentEncoding = "", contentType = "";
        ReadOnlySpan<byte> raw = default;
        while (!reader.End)
        {
            var (number, wire) = reader.ReadTag();
            switch (number)
            {
                case 1 when wire == WireType.LengthDelimited:
                    {
                        var typeMeta = new ProtoReader(reader.ReadBytes());
                        while (!typeMeta.End)
                        {
                            var (n, w) = typeMeta.ReadTag();
                            if (n is 1 or 2 && w == WireType.LengthDelimited)
                            {
                                var text = Encoding.UTF8.GetString(typeMeta.ReadBytes());
                                if (n == 1)
                                {
                                    apiVersion = text;
                                }
                                else
                                {
                                    kind = text;
                                }
                            }
                            else
                            {
                                typeMeta.Skip(w);
                            }
                        }
                        break;
                    }
                case 2 when wire == WireType.LengthDelimited:
                    raw = reader.ReadBytes();
                    break;
                case 3 when wire == WireType.LengthDelimited:
                    contentEncoding = Encoding.UTF8.GetString(reader.ReadBytes());
                    break;
                case 4 when wire == WireType.LengthDelimited:
                    contentType = Encoding.UTF8.GetString(reader.ReadBytes());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        if (contentEncoding.Length > 0)
        {
            throw ApiException.BadRequest($"protobuf objects with content encoding \"{contentEncoding}\" are not supported");
        }
        if (contentType.Length > 0 && !IsProtobuf(contentType))
        {
            return DecodeEmbeddedJson(raw, apiVersion, kind);
        }
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            throw ApiException.BadRequest("the protobuf object does not name its apiVersion and kind");
        }
        var message = ProtoSchema.Default.ForKind(apiVersion, kind)
            ?? throw ApiException.BadRequest($"cannot decode {kind} of {apiVersion} from protobuf: send it as application/json");
        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        ProtobufDecoder.DecodeInto(obj, message, raw, depth);
        return obj;
    }

    private static JsonObject DecodeEmbeddedJson(ReadOnlySpan<byte> raw, string apiVersion, string kind)
    {
        try
        {
            var obj = JsonNode.Parse(raw, documentOptions: new JsonDocumentOptions { MaxDepth = 256 }) as JsonObject
                ?? throw ApiException.BadRequest("the embedded object is not a JSON object");
            if (apiVersion.Length > 0 && !obj.ContainsKey("apiVersion"))
            {
                obj["apiVersion"] = apiVersion;
            }
            if (kind.Length > 0 && !obj.ContainsKey("kind"))
            {
                obj["kind"] = kind;
            }
            return obj;
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the embedded object is not valid JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Encodes a JSON object (apiVersion and kind set, a kind that <see cref="Supports"/>) as a
    /// protobuf body. Properties the protobuf message does not have are dropped.
    /// </summary>
    public static byte[] Encode(JsonObject obj)
    {
        var apiVersion = Text(obj, "apiVersion");
        var kind = Text(obj, "kind");
        var message = ProtoSchema.Default.ForKind(apiVersion, kind)
            ?? throw ApiException.Internal($"cannot encode {kind} of {apiVersion} as protobuf");
        var w = new ProtoWriter(1024);
        w.WriteRaw(Magic);
        var typeMeta = w.BeginMessage(1);
        w.WriteString(1, apiVersion);
        w.WriteString(2, kind);
        w.EndMessage(typeMeta);
        var raw = w.BeginMessage(2);
        ProtobufEncoder.EncodeMessage(w, message, obj, 0);
        w.EndMessage(raw);
        w.WriteString(3, "");
        w.WriteString(4, "");
        return w.ToArray();
    }

    private static string Text(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
