using Coxswain.Api.Resources;

namespace Coxswain.ApiServer.Registry;

/// <summary>Storage keys as upstream lays them out in etcd: /registry/&lt;group/resource&gt;/&lt;ns&gt;/&lt;name&gt;.</summary>
internal static class StorageKeys
{
    public static string Object(ResourceDefinition def, string? ns, string name) =>
        def.Namespaced ? $"/registry/{def.StorageResource}/{ns}/{name}" : $"/registry/{def.StorageResource}/{name}";

    /// <summary>Prefix of every object of a kind, or of one namespace's objects when <paramref name="ns"/> is given.</summary>
    public static string Prefix(ResourceDefinition def, string? ns) =>
        def.Namespaced && !string.IsNullOrEmpty(ns) ? $"/registry/{def.StorageResource}/{ns}/" : $"/registry/{def.StorageResource}/";
}
