using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Coxswain.Kubelet.Env;

/// <summary><see cref="IPodObjectSource"/> over the API server, read on demand (upstream's "Get" change-detection strategy).</summary>
public sealed class ApiPodObjectSource(IKubernetes client) : IPodObjectSource
{
    public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken ct) =>
        OrNullWhenNotFound(() => client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: ct));

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken ct) =>
        OrNullWhenNotFound(() => client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct));

    public async Task<IReadOnlyList<V1Service>> ListServicesAsync(string ns, CancellationToken ct)
    {
        var list = await client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: ct).ConfigureAwait(false);
        return list.Items?.ToList() ?? [];
    }

    private static async Task<T?> OrNullWhenNotFound<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
