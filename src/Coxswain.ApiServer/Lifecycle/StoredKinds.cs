using Coxswain.Api.Resources;

namespace Coxswain.ApiServer.Lifecycle;

/// <summary>The kinds as stored: one definition per storage resource, and keys mapped back to them.</summary>
internal sealed class StoredKinds
{
    private readonly Dictionary<string, ResourceDefinition> _byStorageResource;

    public StoredKinds(ResourceCatalog catalog)
    {
        _byStorageResource = catalog.All.Where(d => d.Converter == null)
            .GroupBy(d => d.StorageResource)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    public IEnumerable<ResourceDefinition> All => _byStorageResource.Values;

    /// <summary>The kind, namespace and name of a storage key (/registry/&lt;resource&gt;/[ns/]name).</summary>
    public (ResourceDefinition Def, string? Namespace, string Name)? Parse(string key)
    {
        var parts = key["/registry/".Length..].Split('/');
        // The storage resource is "plural" (core) or "group/plural".
        for (var segments = 1; segments <= 2 && segments < parts.Length; segments++)
        {
            if (_byStorageResource.TryGetValue(string.Join('/', parts[..segments]), out var def))
            {
                var tail = parts[segments..];
                return (def.Namespaced, tail.Length) switch
                {
                    (true, 2) => (def, tail[0], tail[1]),
                    (false, 1) => (def, null, tail[0]),
                    _ => null,
                };
            }
        }
        return null;
    }
}
