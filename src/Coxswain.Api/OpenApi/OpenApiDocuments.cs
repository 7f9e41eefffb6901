using System.Security.Cryptography;
using Coxswain.Api.Resources;

namespace Coxswain.Api.OpenApi;

/// <summary>
/// The OpenAPI documents of the served API, as upstream publishes them:
/// <list type="bullet">
/// <item><c>/openapi/v2</c>: one Swagger 2.0 document with every path and definition, as JSON
/// and as the gnostic protobuf client-go asks for.</item>
/// <item><c>/openapi/v3</c>: an index of one OpenAPI 3.0 document per group-version ("api/v1",
/// "apis/apps/v1") and per discovery root ("api", "apis", "apis/apps"), each addressed as
/// <c>/openapi/v3/&lt;key&gt;?hash=&lt;uppercase hex SHA-512 of the document&gt;</c>.</item>
/// </list>
/// kubectl reads them for <c>explain</c>, for client-side apply's strategic merge patch (patch
/// strategies and merge keys), and to learn that the server takes <c>fieldValidation</c>.
/// Documents are built on first use and kept as serialized bytes; the returned arrays are shared
/// and must not be modified.
/// </summary>
public sealed class OpenApiDocuments
{
    private readonly ResourceCatalog _catalog;
    private readonly string _kubernetesVersion;
    private readonly Lazy<byte[]> _v2;
    private readonly Lazy<byte[]> _v2Protobuf;
    private readonly Lazy<V3Set> _v3;

    /// <param name="catalog">The served resources.</param>
    /// <param name="kubernetesVersion">The version in each document's <c>info</c> (e.g. "v1.32.4").</param>
    public OpenApiDocuments(ResourceCatalog catalog, string kubernetesVersion = "v1.32.0")
    {
        _catalog = catalog;
        _kubernetesVersion = kubernetesVersion;
        _v2 = new Lazy<byte[]>(() => DocumentWriter.WriteV2(_catalog, _kubernetesVersion), LazyThreadSafetyMode.ExecutionAndPublication);
        _v2Protobuf = new Lazy<byte[]>(() => SwaggerProtobuf.Encode(V2), LazyThreadSafetyMode.ExecutionAndPublication);
        _v3 = new Lazy<V3Set>(BuildV3, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// What client-go sends as Accept for <c>/openapi/v2</c> (the only form it reads). Answer with
    /// <see cref="V2ProtobufContentType"/>: Go's MIME parser rejects the '@' in a Content-Type.
    /// </summary>
    public const string V2ProtobufAccept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    /// <summary>The Content-Type of <see cref="V2Protobuf"/>, as upstream sends it.</summary>
    public const string V2ProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    /// <summary>The Swagger 2.0 document (<c>/openapi/v2</c>, JSON).</summary>
    public byte[] V2 => _v2.Value;

    /// <summary>
    /// The Swagger 2.0 document as gnostic protobuf (asked for with <see cref="V2ProtobufAccept"/>): what
    /// kubectl 1.27 and 1.28 read for explain and validation (later kubectl use v3 only).
    /// </summary>
    public byte[] V2Protobuf => _v2Protobuf.Value;

    /// <summary>The <c>/openapi/v3</c> index: <c>{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."}, ...}}</c>.</summary>
    public byte[] V3Index => _v3.Value.Index;

    /// <summary>The keys of the v3 documents ("api", "api/v1", "apis", "apis/apps", "apis/apps/v1", ...).</summary>
    public IReadOnlyCollection<string> V3Paths => _v3.Value.Documents.Keys;

    /// <summary>
    /// The OpenAPI 3.0 document at <c>/openapi/v3/&lt;groupVersionPath&gt;</c> ("api/v1",
    /// "apis/apps/v1", a leading '/' is ignored) and its hash (uppercase hex SHA-512, the value of
    /// the <c>hash</c> query parameter and a fine ETag).
    /// </summary>
    public bool TryGetV3(string groupVersionPath, out byte[] json, out string hash)
    {
        var key = groupVersionPath.Trim('/');
        if (_v3.Value.Documents.TryGetValue(key, out var doc))
        {
            json = doc.Json;
            hash = doc.Hash;
            return true;
        }
        json = [];
        hash = "";
        return false;
    }

    /// <summary>Upstream's hash of a document: uppercase hex SHA-512.</summary>
    public static string Hash(ReadOnlySpan<byte> document) => Convert.ToHexString(SHA512.HashData(document));

    private V3Set BuildV3()
    {
        var docs = new Dictionary<string, V3Document>(StringComparer.Ordinal);
        foreach (var (group, version) in DocumentWriter.GroupVersions(_catalog))
        {
            var json = DocumentWriter.WriteV3(_catalog, group, version, _kubernetesVersion);
            docs[DocumentWriter.V3Key(group, version)] = new V3Document(json, Hash(json));
        }
        foreach (var (key, json) in DocumentWriter.WriteV3Discovery(_catalog, _kubernetesVersion))
        {
            docs[key] = new V3Document(json, Hash(json));
        }
        var index = DocumentWriter.WriteV3Index(docs.Select(d => (d.Key, d.Value.Hash)));
        return new V3Set(docs, index);
    }

    private sealed record V3Document(byte[] Json, string Hash);

    private sealed record V3Set(Dictionary<string, V3Document> Documents, byte[] Index);
}
