using Coxswain.Kubelet.Env;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Env;

/// <summary>An in-memory <see cref="IPodObjectSource"/>; tests change it to simulate API updates.</summary>
internal sealed class FakePodObjects : IPodObjectSource
{
    public Dictionary<(string Ns, string Name), V1ConfigMap> ConfigMaps { get; } = [];
    public Dictionary<(string Ns, string Name), V1Secret> Secrets { get; } = [];
    public List<V1Service> Services { get; } = [];

    public FakePodObjects ConfigMap(string ns, string name, Dictionary<string, string> data)
    {
        ConfigMaps[(ns, name)] = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Data = data };
        return this;
    }

    public FakePodObjects Secret(string ns, string name, Dictionary<string, string> data)
    {
        Secrets[(ns, name)] = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Data = data.ToDictionary(e => e.Key, e => System.Text.Encoding.UTF8.GetBytes(e.Value)),
        };
        return this;
    }

    public FakePodObjects Service(string ns, string name, string clusterIp, params V1ServicePort[] ports)
    {
        Services.Add(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1ServiceSpec { ClusterIP = clusterIp, Ports = ports },
        });
        return this;
    }

    public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken ct) =>
        Task.FromResult(ConfigMaps.GetValueOrDefault((ns, name)));

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken ct) =>
        Task.FromResult(Secrets.GetValueOrDefault((ns, name)));

    public Task<IReadOnlyList<V1Service>> ListServicesAsync(string ns, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<V1Service>>(Services.Where(s => s.Metadata.NamespaceProperty == ns).ToList());
}
