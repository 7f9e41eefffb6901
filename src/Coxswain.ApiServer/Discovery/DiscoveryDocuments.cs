using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Api.Resources;

namespace Coxswain.ApiServer.Discovery;

/// <summary>
/// Discovery answers, built once from the catalog: aggregated discovery (apidiscovery.k8s.io
/// v2 and v2beta1) and the legacy documents (APIVersions, APIGroupList, APIGroup,
/// APIResourceList).
/// </summary>
internal sealed class DiscoveryDocuments
{
    private readonly ResourceCatalog _catalog;
    private readonly Dictionary<string, byte[]> _legacy = new(StringComparer.Ordinal);
    private readonly Dictionary<(bool Core, string Version), byte[]> _aggregated = [];

    public DiscoveryDocuments(ResourceCatalog catalog, string serverAddress)
    {
        _catalog = catalog;
        _legacy["/api"] = Bytes(new JsonObject
        {
            ["kind"] = "APIVersions",
            ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
        });
        var groups = new JsonArray();
        foreach (var group in catalog.Groups.Where(g => g.Length > 0))
        {
            var groupDoc = GroupDocument(group);
            _legacy["/apis/" + group] = Bytes(groupDoc);
            var copy = groupDoc.DeepClone().AsObject();
            copy.Remove("kind");
            copy.Remove("apiVersion");
            groups.Add(copy);
        }
        _legacy["/apis"] = Bytes(new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups });
        foreach (var group in catalog.Groups)
        {
            foreach (var version in catalog.Versions(group))
            {
                var path = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
                _legacy[path] = Bytes(ResourceList(group, version));
            }
        }
        foreach (var v in new[] { "v2", "v2beta1" })
        {
            _aggregated[(true, v)] = Bytes(Aggregated(core: true, v));
            _aggregated[(false, v)] = Bytes(Aggregated(core: false, v));
        }
    }

    /// <summary>The legacy document at a path (/api, /apis, /apis/apps, /api/v1, /apis/apps/v1), or null.</summary>
    public byte[]? Legacy(string path) => _legacy.GetValueOrDefault(path.TrimEnd('/'));

    /// <summary>The aggregated list for /api (core) or /apis, in apidiscovery.k8s.io/<paramref name="version"/>.</summary>
    public byte[] Aggregated(bool core, string version, out string contentType)
    {
        contentType = $"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList";
        return _aggregated[(core, version)];
    }

    private static byte[] Bytes(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node);

    private JsonObject GroupDocument(string group)
    {
        var versions = new JsonArray();
        foreach (var v in _catalog.Versions(group))
        {
            versions.Add(new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v });
        }
        var preferred = _catalog.Versions(group).First();
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = versions,
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{preferred}", ["version"] = preferred },
        };
    }

    private JsonObject ResourceList(string group, string version)
    {
        var resources = new JsonArray();
        foreach (var def in _catalog.InGroupVersion(group, version))
        {
            var r = new JsonObject
            {
                ["name"] = def.Plural,
                ["singularName"] = def.Singular,
                ["namespaced"] = def.Namespaced,
                ["kind"] = def.Kind,
                ["verbs"] = Array(def.Verbs),
            };
            if (def.ShortNames.Count > 0)
            {
                r["shortNames"] = Array(def.ShortNames);
            }
            if (def.Categories.Count > 0)
            {
                r["categories"] = Array(def.Categories);
            }
            resources.Add(r);
            foreach (var sub in def.Subresources)
            {
                var info = SubresourceInfo.For(def, sub);
                var s = new JsonObject
                {
                    ["name"] = $"{def.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = def.Namespaced,
                    ["kind"] = info.Kind,
                    ["verbs"] = Array(info.Verbs),
                };
                if (info.Group != def.Group || info.Version != def.Version)
                {
                    s["group"] = info.Group;
                    s["version"] = info.Version;
                }
                resources.Add(s);
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private JsonObject Aggregated(bool core, string discoveryVersion)
    {
        var items = new JsonArray();
        foreach (var group in _catalog.Groups.Where(g => (g.Length == 0) == core))
        {
            var versions = new JsonArray();
            foreach (var version in _catalog.Versions(group))
            {
                var resources = new JsonArray();
                foreach (var def in _catalog.InGroupVersion(group, version))
                {
                    var r = new JsonObject
                    {
                        ["resource"] = def.Plural,
                        ["responseKind"] = Gvk(def.Group, def.Version, def.Kind),
                        ["scope"] = def.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = def.Singular,
                        ["verbs"] = Array(def.Verbs),
                    };
                    if (def.ShortNames.Count > 0)
                    {
                        r["shortNames"] = Array(def.ShortNames);
                    }
                    if (def.Categories.Count > 0)
                    {
                        r["categories"] = Array(def.Categories);
                    }
                    if (def.Subresources.Count > 0)
                    {
                        var subs = new JsonArray();
                        foreach (var sub in def.Subresources)
                        {
                            var info = SubresourceInfo.For(def, sub);
                            subs.Add(new JsonObject
                            {
                                ["subresource"] = sub,
                                ["responseKind"] = Gvk(info.Group, info.Version, info.Kind),
                                ["verbs"] = Array(info.Verbs),
                            });
                        }
                        r["subresources"] = subs;
                    }
                    resources.Add(r);
                }
                versions.Add(new JsonObject { ["version"] = version, ["resources"] = resources, ["freshness"] = "Current" });
            }
            var metadata = new JsonObject { ["creationTimestamp"] = null };
            if (group.Length > 0)
            {
                metadata["name"] = group;
            }
            items.Add(new JsonObject { ["metadata"] = metadata, ["versions"] = versions });
        }
        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = $"apidiscovery.k8s.io/{discoveryVersion}",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}

/// <summary>The kind and verbs of a subresource, as discovery shows them.</summary>
internal sealed record SubresourceInfo(string Group, string Version, string Kind, IReadOnlyList<string> Verbs)
{
    private static readonly string[] GetPatchUpdate = ["get", "patch", "update"];

    public static SubresourceInfo For(ResourceDefinition def, string subresource) => subresource switch
    {
        "scale" => new("autoscaling", "v1", "Scale", GetPatchUpdate),
        "binding" => new("", "v1", "Binding", ["create"]),
        "eviction" => new("policy", "v1", "Eviction", ["create"]),
        "finalize" => new(def.Group, def.Version, def.Kind, ["update"]),
        "log" => new("", "v1", "Pod", ["get"]),
        "exec" => new("", "v1", "PodExecOptions", ["create", "get"]),
        "attach" => new("", "v1", "PodAttachOptions", ["create", "get"]),
        "portforward" => new("", "v1", "PodPortForwardOptions", ["create", "get"]),
        _ => new(def.Group, def.Version, def.Kind, GetPatchUpdate),
    };
}
