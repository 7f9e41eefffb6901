using System.Buffers;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using Coxswain.Api.Resources;
using k8s.Models;

namespace Coxswain.Api.OpenApi;

/// <summary>Serializes the Swagger 2.0 document and the OpenAPI 3.0 group-version documents.</summary>
internal static class DocumentWriter
{
    private static readonly string[] ObjectContentTypes = ["application/json", "application/vnd.kubernetes.protobuf", "application/yaml"];

    private static readonly string[] ListContentTypes =
    [
        "application/json", "application/json;stream=watch", "application/vnd.kubernetes.protobuf",
        "application/vnd.kubernetes.protobuf;stream=watch", "application/yaml",
    ];

    /// <summary>The Swagger 2.0 document of every served group-version (<c>/openapi/v2</c>).</summary>
    public static byte[] WriteV2(ResourceCatalog catalog, string kubernetesVersion)
    {
        var set = new SchemaSet();
        var paths = new List<(ApiPath Path, string Tag)>();
        foreach (var doc in DiscoveryDocuments(catalog))
        {
            paths.AddRange(doc.Paths.Select(p => (p, doc.Tag)));
            AddDefinitions(set, doc);
        }
        foreach (var (group, version) in GroupVersions(catalog))
        {
            var tag = ApiPaths.Tag(group, version);
            var gvPaths = ApiPaths.For(catalog, group, version);
            paths.AddRange(gvPaths.Select(p => (p, tag)));
            AddDefinitions(set, catalog, group, version, gvPaths);
        }
        paths.Sort((a, b) => string.CompareOrdinal(a.Path.Path, b.Path.Path));

        var writer = new SchemaWriter(set, openApi3: false);
        return Write(w =>
        {
            w.WriteString("swagger", "2.0");
            WriteInfo(w, kubernetesVersion);
            w.WriteStartObject("paths");
            foreach (var (path, tag) in paths)
            {
                WritePath(w, writer, path, tag, openApi3: false);
            }
            w.WriteEndObject();
            w.WriteStartObject("definitions");
            writer.WriteDefinitions(w);
            w.WriteEndObject();
            w.WriteStartObject("securityDefinitions");
            WriteBearer(w);
            w.WriteEndObject();
            WriteSecurity(w);
        });
    }

    /// <summary>The OpenAPI 3.0 document of one group-version (<c>/openapi/v3/apis/apps/v1</c>).</summary>
    public static byte[] WriteV3(ResourceCatalog catalog, string group, string version, string kubernetesVersion)
    {
        var paths = ApiPaths.For(catalog, group, version);
        var set = new SchemaSet();
        AddDefinitions(set, catalog, group, version, paths);
        return WriteV3(set, paths, ApiPaths.Tag(group, version), kubernetesVersion);
    }

    /// <summary>The OpenAPI 3.0 documents of the discovery roots: "api", "apis" and "apis/&lt;group&gt;".</summary>
    public static IEnumerable<(string Key, byte[] Json)> WriteV3Discovery(ResourceCatalog catalog, string kubernetesVersion)
    {
        foreach (var doc in DiscoveryDocuments(catalog))
        {
            var set = new SchemaSet();
            AddDefinitions(set, doc);
            yield return (doc.Key, WriteV3(set, doc.Paths, doc.Tag, kubernetesVersion));
        }
    }

    /// <summary>Every served group-version, in catalog order.</summary>
    public static IEnumerable<(string Group, string Version)> GroupVersions(ResourceCatalog catalog) =>
        catalog.Groups.SelectMany(g => catalog.Versions(g).Select(v => (g, v)));

    /// <summary>"api/v1", "apis/apps/v1": the key of a group-version in the v3 index.</summary>
    public static string V3Key(string group, string version) => group.Length == 0 ? "api/" + version : $"apis/{group}/{version}";

    /// <summary>The <c>/openapi/v3</c> index: every document with its hash.</summary>
    public static byte[] WriteV3Index(IEnumerable<(string Key, string Hash)> documents) => Write(w =>
    {
        w.WriteStartObject("paths");
        foreach (var (key, hash) in documents.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject(key);
            w.WriteString("serverRelativeURL", $"/openapi/v3/{key}?hash={hash}");
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    private static byte[] WriteV3(SchemaSet set, IReadOnlyList<ApiPath> paths, string tag, string kubernetesVersion)
    {
        var writer = new SchemaWriter(set, openApi3: true);
        return Write(w =>
        {
            w.WriteString("openapi", "3.0.0");
            WriteInfo(w, kubernetesVersion);
            w.WriteStartObject("paths");
            foreach (var path in paths)
            {
                WritePath(w, writer, path, tag, openApi3: true);
            }
            w.WriteEndObject();
            w.WriteStartObject("components");
            w.WriteStartObject("schemas");
            writer.WriteDefinitions(w);
            w.WriteEndObject();
            w.WriteStartObject("securitySchemes");
            WriteBearer(w);
            w.WriteEndObject();
            w.WriteEndObject();
            WriteSecurity(w);
        });
    }

    private static void AddDefinitions(SchemaSet set, ResourceCatalog catalog, string group, string version, IReadOnlyList<ApiPath> paths)
    {
        foreach (var def in catalog.InGroupVersion(group, version))
        {
            set.AddKind(def.ModelType, new GroupVersionKind(group, version, def.Kind));
            set.AddKind(def.ListModelType, new GroupVersionKind(group, version, KindOf(def.ListModelType) ?? def.Kind + "List"));
        }
        foreach (var op in paths.SelectMany(p => p.Operations))
        {
            if (op.Gvk is { } gvk && (op.Response == typeof(V1Scale) || op.Response == typeof(V1Binding)))
            {
                set.AddKind(op.Response, gvk);
            }
            if (op.Body != null)
            {
                set.Add(op.Body);
            }
            set.Add(op.Response);
        }
        set.AddKind(typeof(V1DeleteOptions), new GroupVersionKind(group, version, "DeleteOptions"));
        set.AddKind(typeof(V1Status), new GroupVersionKind("", "v1", "Status"));
    }

    private static void AddDefinitions(SchemaSet set, DiscoveryDocument doc)
    {
        foreach (var op in doc.Paths.SelectMany(p => p.Operations))
        {
            set.Add(op.Response);
        }
    }

    private static string? KindOf(Type t) => t.GetCustomAttribute<KubernetesEntityAttribute>()?.Kind;

    private sealed record DiscoveryDocument(string Key, string Tag, IReadOnlyList<ApiPath> Paths);

    /// <summary>The discovery roots: <c>/api/</c>, <c>/apis/</c> and <c>/apis/&lt;group&gt;/</c>.</summary>
    private static IEnumerable<DiscoveryDocument> DiscoveryDocuments(ResourceCatalog catalog)
    {
        yield return new DiscoveryDocument("api", "core", [Get("/api/", "getCoreAPIVersions", "get available API versions", typeof(V1APIVersions))]);
        yield return new DiscoveryDocument("apis", "apis", [Get("/apis/", "getAPIVersions", "get available API versions", typeof(V1APIGroupList))]);
        foreach (var group in catalog.Groups.Where(g => g.Length > 0))
        {
            var words = ApiPaths.GroupWords(group);
            var tag = char.ToLowerInvariant(words[0]) + words[1..];
            yield return new DiscoveryDocument("apis/" + group, tag,
                [Get($"/apis/{group}/", $"get{words}APIGroup", "get information of a group", typeof(V1APIGroup))]);
        }
    }

    private static ApiPath Get(string path, string operationId, string description, Type response) =>
        new(path, [new ApiOperation("get", "", operationId, description, null, null, response, [200], [])], []);

    private static void WritePath(Utf8JsonWriter w, SchemaWriter schemas, ApiPath path, string tag, bool openApi3)
    {
        w.WriteStartObject(path.Path);
        foreach (var op in path.Operations)
        {
            w.WriteStartObject(op.Method);
            if (openApi3)
            {
                WriteV3Operation(w, schemas, op, tag);
            }
            else
            {
                WriteV2Operation(w, schemas, op, tag);
            }
            w.WriteEndObject();
        }
        if (path.Parameters.Count > 0)
        {
            w.WriteStartArray("parameters");
            foreach (var p in path.Parameters)
            {
                WriteParameter(w, p, openApi3);
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteV3Operation(Utf8JsonWriter w, SchemaWriter schemas, ApiOperation op, string tag)
    {
        WriteTags(w, tag);
        w.WriteString("description", op.Description);
        w.WriteString("operationId", op.OperationId);
        if (op.Parameters.Count > 0)
        {
            w.WriteStartArray("parameters");
            foreach (var p in op.Parameters)
            {
                WriteParameter(w, p, openApi3: true);
            }
            w.WriteEndArray();
        }
        if (op.Body != null)
        {
            w.WriteStartObject("requestBody");
            w.WriteStartObject("content");
            foreach (var ct in op.IsPatch ? ApiPaths.PatchContentTypes : ["*/*"])
            {
                w.WriteStartObject(ct);
                w.WritePropertyName("schema");
                schemas.WriteRef(w, op.Body);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            if (op.Method != "delete")
            {
                w.WriteBoolean("required", true);
            }
            w.WriteEndObject();
        }
        w.WriteStartObject("responses");
        foreach (var code in op.Codes)
        {
            w.WriteStartObject(code.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("description", CodeText(code));
            w.WriteStartObject("content");
            foreach (var ct in op.IsList ? ListContentTypes : ObjectContentTypes)
            {
                w.WriteStartObject(ct);
                w.WritePropertyName("schema");
                schemas.WriteRef(w, op.Response);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        WriteUnauthorized(w);
        w.WriteEndObject();
        WriteOperationExtensions(w, op);
    }

    private static void WriteV2Operation(Utf8JsonWriter w, SchemaWriter schemas, ApiOperation op, string tag)
    {
        WriteStrings(w, "consumes", op.IsPatch ? ApiPaths.PatchContentTypes : ["*/*"]);
        WriteStrings(w, "produces", op.IsList ? ListContentTypes : ObjectContentTypes);
        WriteStrings(w, "schemes", ["https"]);
        WriteTags(w, tag);
        w.WriteString("description", op.Description);
        w.WriteString("operationId", op.OperationId);
        if (op.Parameters.Count > 0 || op.Body != null)
        {
            w.WriteStartArray("parameters");
            if (op.Body != null)
            {
                w.WriteStartObject();
                w.WriteString("name", "body");
                w.WriteString("in", "body");
                w.WriteBoolean("required", op.Method != "delete");
                w.WritePropertyName("schema");
                schemas.WriteRef(w, op.Body);
                w.WriteEndObject();
            }
            foreach (var p in op.Parameters)
            {
                WriteParameter(w, p, openApi3: false);
            }
            w.WriteEndArray();
        }
        w.WriteStartObject("responses");
        foreach (var code in op.Codes)
        {
            w.WriteStartObject(code.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("description", CodeText(code));
            w.WritePropertyName("schema");
            schemas.WriteRef(w, op.Response);
            w.WriteEndObject();
        }
        WriteUnauthorized(w);
        w.WriteEndObject();
        WriteOperationExtensions(w, op);
    }

    private static void WriteOperationExtensions(Utf8JsonWriter w, ApiOperation op)
    {
        if (op.Action.Length > 0)
        {
            w.WriteString("x-kubernetes-action", op.Action);
        }
        if (op.Gvk is { } gvk)
        {
            w.WritePropertyName("x-kubernetes-group-version-kind");
            SchemaWriter.WriteGvk(w, gvk);
        }
    }

    private static void WriteParameter(Utf8JsonWriter w, ApiParameter p, bool openApi3)
    {
        w.WriteStartObject();
        if (openApi3)
        {
            w.WriteString("name", p.Name);
            w.WriteString("in", p.In);
            w.WriteString("description", p.Description);
            if (p.Required)
            {
                w.WriteBoolean("required", true);
            }
            w.WriteStartObject("schema");
            w.WriteString("type", p.Type);
            w.WriteBoolean("uniqueItems", true);
            w.WriteEndObject();
        }
        else
        {
            w.WriteBoolean("uniqueItems", true);
            w.WriteString("type", p.Type);
            w.WriteString("description", p.Description);
            w.WriteString("name", p.Name);
            w.WriteString("in", p.In);
            if (p.Required)
            {
                w.WriteBoolean("required", true);
            }
        }
        w.WriteEndObject();
    }

    private static string CodeText(int code) => code switch
    {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void WriteUnauthorized(Utf8JsonWriter w)
    {
        w.WriteStartObject("401");
        w.WriteString("description", "Unauthorized");
        w.WriteEndObject();
    }

    private static void WriteTags(Utf8JsonWriter w, string tag) => WriteStrings(w, "tags", [tag]);

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
    }

    private static void WriteInfo(Utf8JsonWriter w, string kubernetesVersion)
    {
        w.WriteStartObject("info");
        w.WriteString("title", "Kubernetes");
        w.WriteString("version", kubernetesVersion);
        w.WriteEndObject();
    }

    private static void WriteBearer(Utf8JsonWriter w)
    {
        w.WriteStartObject("BearerToken");
        w.WriteString("type", "apiKey");
        w.WriteString("description", "Bearer Token authentication");
        w.WriteString("name", "authorization");
        w.WriteString("in", "header");
        w.WriteEndObject();
    }

    private static void WriteSecurity(Utf8JsonWriter w)
    {
        w.WriteStartArray("security");
        w.WriteStartObject();
        w.WriteStartArray("BearerToken");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
