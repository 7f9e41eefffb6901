using k8s.Models;

namespace Coxswain.Kubelet.Env;

/// <summary>
/// The API objects a pod's env and volumes refer to. Not found is <c>null</c>, not an exception: callers decide what
/// "optional" means. Other failures (API unreachable, forbidden) throw.
/// </summary>
public interface IPodObjectSource
{
    Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken ct);

    Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken ct);

    /// <summary>The Services of one namespace.</summary>
    Task<IReadOnlyList<V1Service>> ListServicesAsync(string ns, CancellationToken ct);
}
