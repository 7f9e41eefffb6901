using Coxswain.Client;
using Coxswain.Client.Cache;
using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Env;

/// <summary>
/// Services from one watch over the cluster's Services, as upstream's kubelet keeps a service lister for the
/// service-link variables: a container start then costs no API request for them. ConfigMaps and Secrets are
/// read through <paramref name="objects"/>.
/// </summary>
internal sealed class InformerServiceSource(IPodObjectSource objects, Kubernetes client) : IPodObjectSource
{
    private readonly SharedInformer<V1Service> _services = new(client, ResourceTypes.Services);

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await _services.RunAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken ct) => objects.GetConfigMapAsync(ns, name, ct);

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken ct) => objects.GetSecretAsync(ns, name, ct);

    public async Task<IReadOnlyList<V1Service>> ListServicesAsync(string ns, CancellationToken ct)
    {
        if (!_services.HasSynced)
        {
            await _services.WaitForCacheSyncAsync(ct);
        }
        return _services.Lister.List(ns);
    }
}
