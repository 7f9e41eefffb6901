using k8s.Models;

namespace Coxswain.Kubelet.Simulated;

/// <summary>What `cox agent --simulated` fakes: how many nodes, their size, and the kubelet's timings.</summary>
public sealed record SimulatedNodeOptions
{
    public int Count { get; init; } = 1;
    public string NamePrefix { get; init; } = "sim-";
    public string Cpu { get; init; } = "8";
    public string Memory { get; init; } = "32Gi";
    public string Pods { get; init; } = "110";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>A partial Node (`--node-template`): its metadata.labels, spec.taints and status.capacity apply to every node.</summary>
    public V1Node? Template { get; init; }

    /// <summary>Upstream kubelet default (nodeLeaseDurationSeconds 40, renewed every 10 s).</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);
    public int LeaseDurationSeconds { get; init; } = 40;

    /// <summary>Node status is posted this often even when nothing changed (kubelet nodeStatusReportFrequency).</summary>
    public TimeSpan StatusReportInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Each pod "starts" after a delay spread uniformly over [0, this], derived from its uid.</summary>
    public TimeSpan MaxStartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many API requests (registrations, lease renewals) are in flight at once.</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>How many pods are synced at once.</summary>
    public int PodWorkers { get; init; } = 8;
}
