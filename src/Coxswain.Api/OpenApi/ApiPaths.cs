using Coxswain.Api.Resources;
using k8s.Models;

namespace Coxswain.Api.OpenApi;

/// <summary>A group, version and kind, as the x-kubernetes-group-version-kind extension spells it.</summary>
internal readonly record struct GroupVersionKind(string Group, string Version, string Kind);

/// <summary>One REST operation of a path (get, put, post, patch, delete).</summary>
internal sealed record ApiOperation(
    string Method,
    string Action,
    string OperationId,
    string Description,
    GroupVersionKind? Gvk,
    Type? Body,
    Type Response,
    IReadOnlyList<int> Codes,
    IReadOnlyList<ApiParameter> Parameters)
{
    public bool IsPatch => Method == "patch";
    public bool IsList => Action == "list";
}

/// <summary>One path with its operations and the parameters every operation of it shares.</summary>
internal sealed record ApiPath(string Path, IReadOnlyList<ApiOperation> Operations, IReadOnlyList<ApiParameter> Parameters);

/// <summary>
/// The REST paths of a group-version as upstream documents them: collection and item paths for
/// every resource (namespaced and across namespaces), and its status, scale, binding and finalize
/// subresources.
/// </summary>
internal static class ApiPaths
{
    public static readonly IReadOnlyList<string> PatchContentTypes =
    [
        "application/apply-patch+yaml",
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
    ];

    /// <summary>"/api/v1" or "/apis/apps/v1".</summary>
    public static string Prefix(string group, string version) =>
        group.Length == 0 ? "/api/" + version : $"/apis/{group}/{version}";

    /// <summary>"core_v1", "apps_v1", "rbacAuthorization_v1": upstream's operation tags.</summary>
    public static string Tag(string group, string version)
    {
        var words = GroupWords(group);
        return char.ToLowerInvariant(words[0]) + words[1..] + "_" + version;
    }

    /// <summary>Every path of one group-version, in upstream's order (sorted by path).</summary>
    public static IReadOnlyList<ApiPath> For(ResourceCatalog catalog, string group, string version)
    {
        var prefix = Prefix(group, version);
        var gv = GroupWords(group) + char.ToUpperInvariant(version[0]) + version[1..];
        var paths = new List<ApiPath>
        {
            new(prefix + "/", [new ApiOperation("get", "", $"get{gv}APIResources", "get available resources", null, null, typeof(V1APIResourceList), [200], [])], []),
        };
        foreach (var def in catalog.InGroupVersion(group, version))
        {
            AddResource(paths, def, prefix, gv);
        }
        paths.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return paths;
    }

    private static void AddResource(List<ApiPath> paths, ResourceDefinition def, string prefix, string gv)
    {
        var kind = def.Kind;
        var gvk = new GroupVersionKind(def.Group, def.Version, kind);
        var scope = def.Namespaced ? "Namespaced" : "";
        var collection = def.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{def.Plural}" : $"{prefix}/{def.Plural}";
        var item = collection + "/{name}";
        var scopeParams = def.Namespaced ? new[] { ApiParameters.Namespace } : [];
        bool Can(string verb) => def.Verbs.Contains(verb);

        var ops = new List<ApiOperation>();
        if (Can("list"))
        {
            ops.Add(new("get", "list", $"list{gv}{scope}{kind}", $"list or watch objects of kind {kind}", gvk, null, def.ListModelType, [200], ApiParameters.List));
        }
        if (Can("create"))
        {
            ops.Add(new("post", "post", $"create{gv}{scope}{kind}", $"create a {kind}", gvk, def.ModelType, def.ModelType, [200, 201, 202], ApiParameters.Create));
        }
        if (Can("deletecollection"))
        {
            ops.Add(new("delete", "deletecollection", $"delete{gv}Collection{scope}{kind}", $"delete collection of {kind}", gvk, typeof(V1DeleteOptions), typeof(V1Status), [200], ApiParameters.DeleteCollection));
        }
        Add(paths, collection, ops, [.. scopeParams, ApiParameters.Pretty]);

        var itemParams = new[] { ApiParameters.Name(kind) }.Concat(scopeParams).Append(ApiParameters.Pretty).ToArray();
        ops = [];
        if (Can("get"))
        {
            ops.Add(new("get", "get", $"read{gv}{scope}{kind}", $"read the specified {kind}", gvk, null, def.ModelType, [200], []));
        }
        if (Can("update"))
        {
            ops.Add(new("put", "put", $"replace{gv}{scope}{kind}", $"replace the specified {kind}", gvk, def.ModelType, def.ModelType, [200, 201], ApiParameters.Replace));
        }
        if (Can("delete"))
        {
            ops.Add(new("delete", "delete", $"delete{gv}{scope}{kind}", $"delete a {kind}", gvk, typeof(V1DeleteOptions), typeof(V1Status), [200, 202], ApiParameters.Delete));
        }
        if (Can("patch"))
        {
            ops.Add(new("patch", "patch", $"patch{gv}{scope}{kind}", $"partially update the specified {kind}", gvk, typeof(V1Patch), def.ModelType, [200, 201], ApiParameters.PatchParameters));
        }
        Add(paths, item, ops, itemParams);

        if (def.Namespaced && Can("list"))
        {
            Add(paths, $"{prefix}/{def.Plural}",
                [new("get", "list", $"list{gv}{kind}ForAllNamespaces", $"list or watch objects of kind {kind}", gvk, null, def.ListModelType, [200], ApiParameters.List)],
                [ApiParameters.Pretty]);
        }

        foreach (var sub in def.Subresources)
        {
            AddSubresource(paths, def, sub, item, itemParams, gv, scope, gvk);
        }
    }

    private static void AddSubresource(
        List<ApiPath> paths, ResourceDefinition def, string sub, string item, ApiParameter[] itemParams,
        string gv, string scope, GroupVersionKind gvk)
    {
        var kind = def.Kind;
        var path = item + "/" + sub;
        switch (sub)
        {
            case "status":
                Add(paths, path,
                [
                    new("get", "get", $"read{gv}{scope}{kind}Status", $"read status of the specified {kind}", gvk, null, def.ModelType, [200], []),
                    new("put", "put", $"replace{gv}{scope}{kind}Status", $"replace status of the specified {kind}", gvk, def.ModelType, def.ModelType, [200, 201], ApiParameters.Replace),
                    new("patch", "patch", $"patch{gv}{scope}{kind}Status", $"partially update status of the specified {kind}", gvk, typeof(V1Patch), def.ModelType, [200, 201], ApiParameters.PatchParameters),
                ], itemParams);
                break;
            case "scale":
                var scale = new GroupVersionKind("autoscaling", "v1", "Scale");
                Add(paths, path,
                [
                    new("get", "get", $"read{gv}{scope}{kind}Scale", $"read scale of the specified {kind}", scale, null, typeof(V1Scale), [200], []),
                    new("put", "put", $"replace{gv}{scope}{kind}Scale", $"replace scale of the specified {kind}", scale, typeof(V1Scale), typeof(V1Scale), [200, 201], ApiParameters.Replace),
                    new("patch", "patch", $"patch{gv}{scope}{kind}Scale", $"partially update scale of the specified {kind}", scale, typeof(V1Patch), typeof(V1Scale), [200, 201], ApiParameters.PatchParameters),
                ], itemParams);
                break;
            case "binding":
                Add(paths, path,
                [
                    new("post", "post", $"create{gv}{scope}{kind}Binding", $"create binding of a {kind}", new GroupVersionKind("", "v1", "Binding"), typeof(V1Binding), typeof(V1Binding), [200, 201, 202], ApiParameters.Create),
                ], itemParams);
                break;
            case "eviction":
                Add(paths, path,
                [
                    new("post", "post", $"create{gv}{scope}{kind}Eviction", $"create eviction of a {kind}", new GroupVersionKind("policy", "v1", "Eviction"), typeof(V1Eviction), typeof(V1Eviction), [200, 201, 202], ApiParameters.Create),
                ], itemParams);
                break;
            case "finalize":
                Add(paths, path,
                [
                    new("put", "put", $"replace{gv}{scope}{kind}Finalize", $"replace finalize of the specified {kind}", gvk, def.ModelType, def.ModelType, [200, 201], ApiParameters.Replace),
                ], itemParams);
                break;
        }
    }

    private static void Add(List<ApiPath> paths, string path, List<ApiOperation> ops, IReadOnlyList<ApiParameter> parameters)
    {
        if (ops.Count > 0)
        {
            paths.Add(new ApiPath(path, ops, parameters));
        }
    }

    /// <summary>"" → "Core", "rbac.authorization.k8s.io" → "RbacAuthorization", "storage.k8s.io" → "Storage".</summary>
    internal static string GroupWords(string group)
    {
        if (group.Length == 0)
        {
            return "Core";
        }
        var trimmed = group.EndsWith(".k8s.io", StringComparison.Ordinal) ? group[..^".k8s.io".Length] : group;
        return string.Concat(trimmed.Split('.', '-').Where(w => w.Length > 0).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    }
}
