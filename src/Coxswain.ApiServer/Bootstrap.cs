using Coxswain.Api.Errors;
using Coxswain.ApiServer.Registry;
using k8s.Models;

namespace Coxswain.ApiServer;

/// <summary>What a new cluster has before anyone asks: the built-in namespaces.</summary>
internal static class Bootstrap
{
    public static readonly string[] BuiltInNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public static async Task EnsureBuiltInNamespacesAsync(ObjectRegistry registry, CancellationToken ct)
    {
        var def = registry.Catalog.Find("", "v1", "namespaces")!;
        foreach (var name in BuiltInNamespaces)
        {
            try
            {
                await registry.CreateAsync(def, null, new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, WriteOptions.Default, ct);
            }
            catch (ApiException e) when (e.Code == 409)
            {
                // Already there from an earlier start.
            }
        }
    }
}
