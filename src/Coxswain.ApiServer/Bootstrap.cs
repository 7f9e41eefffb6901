using Coxswain.Api.Errors;
using Coxswain.ApiServer.Registry;
using k8s.Models;

namespace Coxswain.ApiServer;

/// <summary>What a new cluster has before anyone asks: the built-in namespaces.</summary>
internal static class Bootstrap
{
    public static readonly string[] BuiltInNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    /// <summary>
    /// The `default/kubernetes` Service (first address of the service range, port 443) and its
    /// Endpoints pointing at this API server, as upstream's apiserver maintains them.
    /// </summary>
    public static async Task EnsureKubernetesServiceAsync(ObjectRegistry registry, string advertiseAddress, int port, CancellationToken ct)
    {
        var services = registry.Catalog.Find("", "v1", "services")!;
        var endpoints = registry.Catalog.Find("", "v1", "endpoints")!;
        var labels = new Dictionary<string, string> { ["component"] = "apiserver", ["provider"] = "kubernetes" };
        await CreateIfMissingAsync(registry, services, "default", new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "kubernetes", Labels = labels },
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                ClusterIP = registry.ServiceRange.First,
                SessionAffinity = "None",
                Ports = [new V1ServicePort { Name = "https", Port = 443, Protocol = "TCP", TargetPort = port }],
            },
        }, ct);
        await CreateIfMissingAsync(registry, endpoints, "default", new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "kubernetes", Labels = new Dictionary<string, string> { ["endpointslice.kubernetes.io/skip-mirror"] = "true" } },
            Subsets = [new V1EndpointSubset
            {
                Addresses = [new V1EndpointAddress { Ip = advertiseAddress }],
                Ports = [new Corev1EndpointPort { Name = "https", Port = port, Protocol = "TCP" }],
            }],
        }, ct);
    }

    private static async Task CreateIfMissingAsync(ObjectRegistry registry, Api.Resources.ResourceDefinition def, string? ns, k8s.IKubernetesObject<V1ObjectMeta> obj, CancellationToken ct)
    {
        try
        {
            await registry.CreateAsync(def, ns, obj, WriteOptions.Default, ct);
        }
        catch (ApiException e) when (e.Code == 409)
        {
            // Already there from an earlier start.
        }
    }

    public static async Task EnsureBuiltInNamespacesAsync(ObjectRegistry registry, CancellationToken ct)
    {
        var def = registry.Catalog.Find("", "v1", "namespaces")!;
        foreach (var name in BuiltInNamespaces)
        {
            await CreateIfMissingAsync(registry, def, null, new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, ct);
        }
    }
}
