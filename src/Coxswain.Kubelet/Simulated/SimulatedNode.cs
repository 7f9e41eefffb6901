using Coxswain.Kubelet.Node;

namespace Coxswain.Kubelet.Simulated;

/// <summary>One fake node's state: its name, fake addresses and the last lease it wrote (so renewals are one PUT).</summary>
public sealed class SimulatedNode(string name, int index)
{
    public string Name { get; } = name;
    public int Index { get; } = index;
    internal string? Uid { get; set; }
    internal NodeLease? Lease { get; set; }
    private int _nextPodIp = 1;

    /// <summary>10.64.0.0/10 holds node addresses (from .0.1 up); never contacted, only shown.</summary>
    public string InternalIp => $"10.{64 + ((Index + 1) >> 16 & 63)}.{(Index + 1) >> 8 & 255}.{(Index + 1) & 255}";

    /// <summary>Each node gets a /24 of 10.128.0.0/9 for its pods (32,768 nodes before wrapping).</summary>
    public string PodCidr => $"10.{128 + (Index >> 8 & 127)}.{Index & 255}.0/24";

    /// <summary>The next pod address in this node's /24 (.2 to .254, wrapping; fake pods never talk).</summary>
    public string NextPodIp()
    {
        var n = Interlocked.Increment(ref _nextPodIp);
        var host = 2 + (n - 2) % 253;
        return $"10.{128 + (Index >> 8 & 127)}.{Index & 255}.{host}";
    }
}
