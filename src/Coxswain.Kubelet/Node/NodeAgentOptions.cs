namespace Coxswain.Kubelet.Node;

/// <summary>The kubelet flags that shape the Node object it registers (upstream's defaults).</summary>
public sealed record NodeAgentOptions
{
    /// <summary>--hostname-override; the machine's host name when null.</summary>
    public string? NodeName { get; init; }

    /// <summary>--node-ip; else the first non-loopback IPv4 of an interface that is up, else 127.0.0.1.</summary>
    public string? NodeIp { get; init; }

    /// <summary>--node-labels: added when the Node is created (upstream does not reconcile them later).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>--kube-reserved and --system-reserved summed (e.g. cpu=100m, memory=256Mi), taken off allocatable.</summary>
    public IReadOnlyDictionary<string, string> Reserved { get; init; } = new Dictionary<string, string>();

    /// <summary>--eviction-hard; upstream's Linux defaults.</summary>
    public EvictionThresholds Eviction { get; init; } = EvictionThresholds.Default;

    public int MaxPods { get; init; } = 110;

    /// <summary>daemonEndpoints.kubeletEndpoint.port (--port).</summary>
    public int KubeletPort { get; init; } = 10250;

    /// <summary>nodeStatusUpdateFrequency: how often status is computed and posted when it changed.</summary>
    public TimeSpan StatusUpdateInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>nodeStatusReportFrequency: status is posted at least this often even when unchanged.</summary>
    public TimeSpan StatusReportInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Until the node is Ready, status is checked this often (upstream's fast status update at startup).</summary>
    public TimeSpan NotReadyStatusInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>nodeLeaseDurationSeconds; the lease is renewed every quarter of it.</summary>
    public int LeaseDurationSeconds { get; init; } = 40;
    public TimeSpan LeaseRenewInterval => TimeSpan.FromSeconds(LeaseDurationSeconds / 4.0);

    /// <summary>
    /// Whether the node adds the MASQUERADE rule for its podCIDR in its network namespace. Only a real kubelet does:
    /// a NodeAgent hosted elsewhere (a test process in the machine's own namespace) must leave iptables alone.
    /// </summary>
    public bool MasqueradePodCidr { get; init; }

    /// <summary>Where the pod network's CNI conflist and host-local's state go once the node has a podCIDR; null: not written.</summary>
    public string? CniConfDir { get; init; }
    public string? CniIpamDir { get; init; }
}
