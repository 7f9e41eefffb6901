using Coxswain.Kubelet.Runtime;

namespace Coxswain.Kubelet.Pods;

/// <summary>What a real kubelet is told at start: its node, its files, its cgroup root and cluster DNS.</summary>
public sealed record KubeletSettings
{
    public required string NodeName { get; init; }
    public required AgentPaths Paths { get; init; }
    /// <summary>Pod cgroups go under this path in every hierarchy (upstream's --cgroup-root with cgroupfs: /kubepods).</summary>
    public string CgroupRoot { get; init; } = "/kubepods";
    /// <summary>The node's InternalIP: status.hostIP of its pods, and the pod IP of host-network pods.</summary>
    public string NodeIp { get; init; } = "127.0.0.1";
    /// <summary>Port of the kubelet's HTTPS server (logs, exec, port-forward), published in the Node's daemonEndpoints.</summary>
    public int KubeletPort { get; init; } = 10250;
    public IReadOnlyList<string> ClusterDns { get; init; } = [];
    public string ClusterDomain { get; init; } = "cluster.local";
    /// <summary>The node's memory, for Burstable pods' OOM score (upstream's formula).</summary>
    public long NodeMemoryBytes { get; init; } = 8L << 30;
    /// <summary>How often the runtime is relisted to notice container exits (upstream's PLEG: 1 s).</summary>
    public TimeSpan RelistPeriod { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How often configMap, secret and downwardAPI volumes are rewritten from their sources.</summary>
    public TimeSpan VolumeRefreshPeriod { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>A running container's log is rotated once it reaches this size (upstream's containerLogMaxSize, 10Mi).</summary>
    public long ContainerLogMaxSize { get; init; } = 10L << 20;
    /// <summary>Log files kept per container, the current one included (upstream's containerLogMaxFiles, 5; at least 2).</summary>
    public int ContainerLogMaxFiles { get; init; } = 5;
    /// <summary>How often log sizes are checked (upstream's containerLogMonitorInterval, 10 s).</summary>
    public TimeSpan ContainerLogMonitorInterval { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Image filesystem usage (percent) from which unused images are removed (upstream's imageGCHighThresholdPercent).</summary>
    public int ImageGcHighThresholdPercent { get; init; } = 85;
    /// <summary>Usage (percent) that image garbage collection frees down to (imageGCLowThresholdPercent).</summary>
    public int ImageGcLowThresholdPercent { get; init; } = 80;
    /// <summary>An unused image younger than this stays (upstream's imageMinimumGCAge).</summary>
    public TimeSpan MinimumImageTtl { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>Hard eviction thresholds (--eviction-hard): pressure conditions, evictions and allocatable.</summary>
    public Node.EvictionThresholds EvictionHard { get; init; } = Node.EvictionThresholds.Default;
}
