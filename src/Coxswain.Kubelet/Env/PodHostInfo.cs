using k8s.Models;

namespace Coxswain.Kubelet.Env;

/// <summary>
/// What the node knows about a pod beyond its spec: its IPs (from the sandbox), the node's IPs, and the node's
/// allocatable resources (what resourceFieldRef limits default to when a container sets none).
/// </summary>
public sealed record PodHostInfo(
    IReadOnlyList<string> PodIPs,
    IReadOnlyList<string> HostIPs,
    IReadOnlyDictionary<string, ResourceQuantity> NodeAllocatable)
{
    /// <summary>No IPs and no allocatable resources (tests, or before the sandbox has an address).</summary>
    public static PodHostInfo None { get; } = new([], [], new Dictionary<string, ResourceQuantity>());
}
