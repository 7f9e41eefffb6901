namespace Coxswain.Kubelet.Node;

/// <summary>What the kubelet reports about its machine (upstream reads these through cAdvisor).</summary>
public sealed record MachineFacts
{
    public required int Cpus { get; init; }
    public required long MemoryBytes { get; init; }

    /// <summary>Memory the eviction manager counts as available; null when unknown (no pressure reported).</summary>
    public long? MemoryAvailableBytes { get; init; }

    /// <summary>statfs of the data dir: the node filesystem (containerd's root lives there too, so also imagefs).</summary>
    public required FilesystemStats Filesystem { get; init; }

    /// <summary>pid_max minus the tasks running now; null when unknown.</summary>
    public long? PidsAvailable { get; init; }

    public string MachineId { get; init; } = "";
    public string SystemUuid { get; init; } = "";
    public string BootId { get; init; } = "";
    public string KernelVersion { get; init; } = "";
    public string OsImage { get; init; } = "";
    public string Hostname { get; init; } = "";

    /// <summary>The first non-loopback IPv4 of an interface that is up, if any.</summary>
    public string? DefaultIPv4 { get; init; }

    /// <summary>GOARCH spelling: amd64, arm64.</summary>
    public string Architecture { get; init; } = "amd64";
}

public sealed record FilesystemStats(long CapacityBytes, long AvailableBytes, long Inodes, long InodesFree);

/// <summary>Reads <see cref="MachineFacts"/>; faked in tests.</summary>
public interface IMachineReader
{
    MachineFacts Read();
}
