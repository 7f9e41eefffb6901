using System.Globalization;
using k8s.Models;

namespace Coxswain.Kubelet.Node;

/// <summary>One eviction threshold: an amount (bytes, inodes, pids) or a percentage of the signal's capacity.</summary>
public sealed record Threshold(long? Quantity, double? Percent, string Text)
{
    public static Threshold Bytes(long bytes) => new(bytes, null, FormatBytes(bytes));

    public static Threshold OfCapacity(double percent) => new(null, percent, percent.ToString(CultureInfo.InvariantCulture) + "%");

    /// <summary>The threshold as an amount, given the signal's capacity.</summary>
    public long Of(long capacity) => Quantity ?? (long)(capacity * Percent!.Value / 100);

    /// <summary>Binary SI, as the kubelet prints quantities: 104857600 -> 100Mi.</summary>
    public static string FormatBytes(long bytes) => new ResourceQuantity(bytes, 0, ResourceQuantity.SuffixFormat.BinarySI).ToString();
}

/// <summary>
/// Hard eviction thresholds (--eviction-hard): the node's pressure conditions and the eviction manager work against
/// them. Upstream's Linux defaults: memory.available&lt;100Mi, nodefs.available&lt;10%, nodefs.inodesFree&lt;5%,
/// imagefs.available&lt;15%, imagefs.inodesFree&lt;5%; no pid.available threshold. As upstream's flag, a given
/// --eviction-hard replaces all of them: the signals it leaves out have no threshold.
/// </summary>
public sealed record EvictionThresholds
{
    private const long Mi = 1024 * 1024;

    public static readonly EvictionThresholds Default = new()
    {
        MemoryAvailable = Threshold.Bytes(100 * Mi),
        NodefsAvailable = Threshold.OfCapacity(10),
        NodefsInodesFree = Threshold.OfCapacity(5),
        ImagefsAvailable = Threshold.OfCapacity(15),
        ImagefsInodesFree = Threshold.OfCapacity(5),
    };

    public Threshold? MemoryAvailable { get; init; }
    public Threshold? NodefsAvailable { get; init; }
    public Threshold? NodefsInodesFree { get; init; }

    /// <summary>containerd's root is under the agent's data dir, so imagefs is the node filesystem.</summary>
    public Threshold? ImagefsAvailable { get; init; }
    public Threshold? ImagefsInodesFree { get; init; }
    public Threshold? PidAvailable { get; init; }

    public bool MemoryPressure(MachineFacts m) => MemoryAvailable is { } t && m.MemoryAvailableBytes is { } available && available < t.Of(m.MemoryBytes);

    public bool DiskPressure(MachineFacts m)
    {
        var fs = m.Filesystem;
        if (fs.CapacityBytes <= 0)
        {
            return false;
        }
        bool Below(Threshold? t, long available, long capacity) => t is not null && capacity > 0 && available < t.Of(capacity);
        return Below(NodefsAvailable, fs.AvailableBytes, fs.CapacityBytes) || Below(ImagefsAvailable, fs.AvailableBytes, fs.CapacityBytes)
            || Below(NodefsInodesFree, fs.InodesFree, fs.Inodes) || Below(ImagefsInodesFree, fs.InodesFree, fs.Inodes);
    }

    public bool PidPressure(MachineFacts m) => PidAvailable?.Quantity is { } threshold && m.PidsAvailable is { } available && available < threshold;

    /// <summary>What the memory.available threshold holds back from allocatable memory.</summary>
    public long MemoryReservedBytes(long capacity) => MemoryAvailable?.Of(capacity) ?? 0;

    /// <summary>What the nodefs.available threshold holds back from allocatable ephemeral-storage.</summary>
    public long NodefsReservedBytes(long capacity) => NodefsAvailable?.Of(capacity) ?? 0;

    /// <summary>Parses upstream's flag syntax, e.g. <c>memory.available&lt;100Mi,nodefs.available&lt;10%</c>.</summary>
    public static EvictionThresholds Parse(string spec)
    {
        var result = new EvictionThresholds();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = part.IndexOf('<');
            if (at <= 0)
            {
                throw new FormatException($"invalid eviction threshold \"{part}\": expected SIGNAL<QUANTITY or SIGNAL<PERCENT%");
            }
            var signal = part[..at];
            var threshold = ParseValue(signal, part[(at + 1)..]);
            result = signal switch
            {
                "memory.available" => result with { MemoryAvailable = threshold },
                "nodefs.available" => result with { NodefsAvailable = threshold },
                "nodefs.inodesFree" => result with { NodefsInodesFree = threshold },
                "imagefs.available" => result with { ImagefsAvailable = threshold },
                "imagefs.inodesFree" => result with { ImagefsInodesFree = threshold },
                "pid.available" when threshold.Quantity is not null => result with { PidAvailable = threshold },
                "pid.available" => throw new FormatException("pid.available takes a number of pids, not a percentage"),
                _ => throw new FormatException($"unsupported eviction signal {signal}"),
            };
        }
        return result;
    }

    private static Threshold ParseValue(string signal, string value)
    {
        if (value.EndsWith('%'))
        {
            if (double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent > 0 && percent <= 100)
            {
                return Threshold.OfCapacity(percent);
            }
            throw new FormatException($"invalid percentage for {signal}: {value} (must be greater than 0 and at most 100)");
        }
        long amount;
        try
        {
            amount = (long)new ResourceQuantity(value).ToDecimal();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new FormatException($"invalid quantity for {signal}: {value}");
        }
        return amount >= 0 ? new Threshold(amount, null, value) : throw new FormatException($"eviction threshold {signal} must not be negative: {value}");
    }
}
