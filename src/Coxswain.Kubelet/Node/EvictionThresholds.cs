namespace Coxswain.Kubelet.Node;

/// <summary>
/// Hard eviction thresholds (--eviction-hard) the node's pressure conditions are computed against. Upstream's Linux
/// defaults: memory.available&lt;100Mi, nodefs.available&lt;10%, nodefs.inodesFree&lt;5%, imagefs.available&lt;15%,
/// imagefs.inodesFree&lt;5%; no pid.available threshold, so PIDPressure stays False unless one is given.
/// </summary>
public sealed record EvictionThresholds
{
    public static readonly EvictionThresholds Default = new();

    public long MemoryAvailableBytes { get; init; } = 100L * 1024 * 1024;
    public double NodefsAvailablePercent { get; init; } = 10;
    public double NodefsInodesFreePercent { get; init; } = 5;

    /// <summary>containerd's root is under the agent's data dir, so imagefs is the node filesystem.</summary>
    public double ImagefsAvailablePercent { get; init; } = 15;
    public double ImagefsInodesFreePercent { get; init; } = 5;

    public long? PidAvailable { get; init; }

    public bool MemoryPressure(MachineFacts m) => m.MemoryAvailableBytes is { } available && available < MemoryAvailableBytes;

    public bool DiskPressure(MachineFacts m)
    {
        var fs = m.Filesystem;
        if (fs.CapacityBytes <= 0)
        {
            return false;
        }
        var availablePercent = 100.0 * fs.AvailableBytes / fs.CapacityBytes;
        var inodesPercent = fs.Inodes > 0 ? 100.0 * fs.InodesFree / fs.Inodes : 100;
        return availablePercent < Math.Max(NodefsAvailablePercent, ImagefsAvailablePercent)
            || inodesPercent < Math.Max(NodefsInodesFreePercent, ImagefsInodesFreePercent);
    }

    public bool PidPressure(MachineFacts m) => PidAvailable is { } threshold && m.PidsAvailable is { } available && available < threshold;

    /// <summary>What the hard thresholds hold back from allocatable ephemeral-storage (nodefs.available).</summary>
    public long NodefsReservedBytes(long capacity) => (long)(capacity * NodefsAvailablePercent / 100);
}
