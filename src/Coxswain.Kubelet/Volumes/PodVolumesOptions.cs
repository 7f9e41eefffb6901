using k8s.Models;

namespace Coxswain.Kubelet.Volumes;

/// <summary>Where pod volumes live and how often their API-backed contents are refreshed.</summary>
public sealed record PodVolumesOptions(string PodsDir)
{
    /// <summary>How often <see cref="PodVolumes.RunResyncAsync"/> re-writes configMap/secret/downwardAPI/projected volumes (upstream: about a minute).</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The cluster's DNS domain, for the pod's FQDN in its /etc/hosts.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>The node's allocatable resources: defaults for resourceFieldRef limits and for memory-backed volume sizes.</summary>
    public Func<IReadOnlyDictionary<string, ResourceQuantity>> NodeAllocatable { get; init; } = () => new Dictionary<string, ResourceQuantity>();
}
