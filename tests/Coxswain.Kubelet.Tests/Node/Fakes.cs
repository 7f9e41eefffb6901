using Coxswain.Kubelet.Node;

namespace Coxswain.Kubelet.Tests.Node;

internal sealed class FakeMachine(MachineFacts facts) : IMachineReader
{
    public MachineFacts Facts { get; set; } = facts;

    public MachineFacts Read() => Facts;

    public static MachineFacts Default => new()
    {
        Cpus = 4,
        MemoryBytes = 8L * 1024 * 1024 * 1024,
        MemoryAvailableBytes = 6L * 1024 * 1024 * 1024,
        Filesystem = new FilesystemStats(100L * 1024 * 1024 * 1024, 60L * 1024 * 1024 * 1024, 1_000_000, 900_000),
        PidsAvailable = 4_000_000,
        MachineId = "machine-1",
        SystemUuid = "uuid-1",
        BootId = "boot-1",
        KernelVersion = "6.1.0-test",
        OsImage = "Debian GNU/Linux 12 (bookworm)",
        Hostname = "box",
        DefaultIPv4 = "192.0.2.7",
        Architecture = "amd64",
    };
}

/// <summary>A runtime like containerd: NetworkReady only once a CNI conflist exists in <see cref="ConfDir"/> (if set).</summary>
internal sealed class FakeRuntime : INodeRuntime
{
    public bool Down { get; set; }
    public bool NetworkReady { get; set; }
    public string? ConfDir { get; init; }
    public List<RuntimeImage> Images { get; } = [];

    public Task<RuntimeFacts> ReadAsync(CancellationToken ct)
    {
        if (Down)
        {
            throw new IOException("connection refused");
        }
        var network = NetworkReady || (ConfDir is not null && Directory.Exists(ConfDir) && Directory.EnumerateFiles(ConfDir, "*.conflist").Any());
        return Task.FromResult(new RuntimeFacts("containerd", "1.6.20~ds1",
        [
            new RuntimeCondition(RuntimeCondition.RuntimeReady, true),
            network
                ? new RuntimeCondition(RuntimeCondition.NetworkReady, true)
                : new RuntimeCondition(RuntimeCondition.NetworkReady, false, "NetworkPluginNotReady", "Network plugin returns error: cni plugin not initialized"),
        ], Images.ToList()));
    }
}
