using k8s;
using k8s.Models;

namespace Coxswain.Api.Selectors;

/// <summary>
/// The fields each kind can be selected by (upstream's GetAttrs / field label conversion):
/// metadata.name and metadata.namespace everywhere, plus kind-specific ones.
/// </summary>
public static class FieldSelectors
{
    public static IReadOnlyDictionary<string, Func<IKubernetesObject<V1ObjectMeta>, string?>> For(string group, string kind) => Common;

    private static readonly Dictionary<string, Func<IKubernetesObject<V1ObjectMeta>, string?>> Common = new(StringComparer.Ordinal)
    {
        ["metadata.name"] = o => o.Metadata?.Name,
        ["metadata.namespace"] = o => o.Metadata?.NamespaceProperty,
    };
}
