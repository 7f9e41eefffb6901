using System.Net;
using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using k8s.Models;

namespace Coxswain.ApiServer.Registry;

/// <summary>
/// Cluster IPs and node ports for Services, as upstream's service REST storage allocates them:
/// a free address of the service CIDR (the first is the `kubernetes` service's), node ports in
/// 30000-32767, user-chosen values checked for range and collisions. What is taken is read from
/// the stored services themselves, under one lock, so a deleted service frees its values.
/// </summary>
internal sealed class ServiceAllocator(ObjectRegistry registry, ServiceCidr cidr)
{
    public const int NodePortMin = 30000;
    public const int NodePortMax = 32767;

    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>Runs <paramref name="write"/> with the service's IPs and ports allocated, under the allocation lock.</summary>
    public async Task<T> WithAllocationAsync<T>(ResourceDefinition def, V1Service svc, V1Service? old, Func<Task<T>> write, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var (ips, ports) = await TakenAsync(def, svc.Metadata, ct);
            var errors = new List<FieldError>();
            AllocateClusterIp(svc, old, ips, errors);
            AllocateNodePorts(svc, ports, errors);
            if (errors.Count > 0)
            {
                throw ApiException.Invalid("Service", "", svc.Metadata.Name ?? "", errors);
            }
            return await write();
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<(HashSet<string> Ips, HashSet<int> Ports)> TakenAsync(ResourceDefinition def, V1ObjectMeta self, CancellationToken ct)
    {
        var ips = new HashSet<string>(StringComparer.Ordinal);
        var ports = new HashSet<int>();
        var all = await registry.ListAsync(def, null, new ListQuery(), ct);
        foreach (var item in all.Items)
        {
            var s = (V1Service)item.Object;
            if (s.Metadata.NamespaceProperty == self.NamespaceProperty && s.Metadata.Name == self.Name)
            {
                continue;
            }
            foreach (var ip in s.Spec?.ClusterIPs ?? (s.Spec?.ClusterIP is { } one ? [one] : []))
            {
                ips.Add(ip);
            }
            foreach (var p in s.Spec?.Ports ?? [])
            {
                if (p.NodePort is int np)
                {
                    ports.Add(np);
                }
            }
        }
        return (ips, ports);
    }

    private void AllocateClusterIp(V1Service svc, V1Service? old, HashSet<string> taken, List<FieldError> errors)
    {
        var spec = svc.Spec ??= new V1ServiceSpec();
        if (spec.Type == "ExternalName")
        {
            return;
        }
        if (string.IsNullOrEmpty(spec.ClusterIP) && old?.Spec?.ClusterIP is { Length: > 0 } kept && old.Spec.Type != "ExternalName")
        {
            spec.ClusterIP = kept;
        }
        if (spec.ClusterIP == "None")
        {
            spec.ClusterIPs = ["None"];
            return;
        }
        if (string.IsNullOrEmpty(spec.ClusterIP))
        {
            var ip = cidr.FirstFree(taken);
            if (ip == null)
            {
                errors.Add(FieldError.Invalid("spec.clusterIPs", Array.Empty<string>(), "failed to allocate IP: range is full"));
                return;
            }
            spec.ClusterIP = ip;
        }
        else if (old?.Spec?.ClusterIP != spec.ClusterIP)
        {
            if (!cidr.Contains(spec.ClusterIP))
            {
                errors.Add(FieldError.Invalid("spec.clusterIPs", new[] { spec.ClusterIP },
                    $"failed to allocate IP {spec.ClusterIP}: the provided IP ({spec.ClusterIP}) is not in the valid range. The range of valid IPs is {cidr}"));
                return;
            }
            if (taken.Contains(spec.ClusterIP))
            {
                errors.Add(FieldError.Invalid("spec.clusterIPs", new[] { spec.ClusterIP }, $"failed to allocate IP {spec.ClusterIP}: provided IP is already allocated"));
                return;
            }
        }
        spec.ClusterIPs = [spec.ClusterIP];
    }

    private static void AllocateNodePorts(V1Service svc, HashSet<int> taken, List<FieldError> errors)
    {
        var spec = svc.Spec;
        var wantsNodePorts = spec.Type is "NodePort" or "LoadBalancer" && spec.AllocateLoadBalancerNodePorts != false || spec.Type == "NodePort";
        var ports = spec.Ports ?? [];
        for (var i = 0; i < ports.Count; i++)
        {
            var p = ports[i];
            if (!wantsNodePorts)
            {
                if (spec.Type is "ClusterIP" or "ExternalName")
                {
                    p.NodePort = null;
                }
                continue;
            }
            if (p.NodePort is int chosen && chosen != 0)
            {
                if (chosen < NodePortMin || chosen > NodePortMax)
                {
                    errors.Add(FieldError.Invalid($"spec.ports[{i}].nodePort", chosen, $"provided port is not in the valid range. The range of valid ports is {NodePortMin}-{NodePortMax}"));
                }
                else if (!taken.Add(chosen))
                {
                    errors.Add(FieldError.Invalid($"spec.ports[{i}].nodePort", chosen, "provided port is already allocated"));
                }
                continue;
            }
            var free = 0;
            var range = NodePortMax - NodePortMin + 1;
            var start = Random.Shared.Next(range);
            for (var k = 0; k < range && free == 0; k++)
            {
                var candidate = NodePortMin + ((start + k) % range);
                free = taken.Contains(candidate) ? 0 : candidate;
            }
            if (free == 0)
            {
                errors.Add(FieldError.Invalid($"spec.ports[{i}].nodePort", 0, "failed to allocate a nodePort: range is full"));
                continue;
            }
            taken.Add(free);
            p.NodePort = free;
        }
    }
}

/// <summary>The service IP range (IPv4); the first address belongs to the `kubernetes` service.</summary>
internal sealed class ServiceCidr
{
    private readonly uint _network;
    private readonly int _prefix;

    public ServiceCidr(string cidr)
    {
        var parts = cidr.Split('/');
        var bytes = IPAddress.Parse(parts[0]).GetAddressBytes();
        _prefix = int.Parse(parts[1]);
        _network = ToUint(bytes) & Mask;
    }

    private uint Mask => _prefix == 0 ? 0 : uint.MaxValue << (32 - _prefix);
    private uint Size => _prefix == 0 ? uint.MaxValue : 1u << (32 - _prefix);

    /// <summary>The first usable address (network + 1): the kubernetes service.</summary>
    public string First => FromUint(_network + 1);

    public bool Contains(string ip) =>
        IPAddress.TryParse(ip, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
        && (ToUint(a.GetAddressBytes()) & Mask) == _network
        && ToUint(a.GetAddressBytes()) != _network && ToUint(a.GetAddressBytes()) != _network + Size - 1;

    /// <summary>A free address, chosen at random like upstream's allocator (so names don't predict IPs).</summary>
    public string? FirstFree(HashSet<string> taken)
    {
        var usable = Size - 2;
        var start = (uint)Random.Shared.NextInt64(usable);
        for (uint i = 0; i < usable; i++)
        {
            var candidate = FromUint(_network + 1 + ((start + i) % usable));
            if (candidate != First && !taken.Contains(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    public override string ToString() => $"{FromUint(_network)}/{_prefix}";

    private static uint ToUint(byte[] b) => ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];

    private static string FromUint(uint v) => $"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}";
}
