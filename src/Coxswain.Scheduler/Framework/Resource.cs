using k8s.Models;

namespace Coxswain.Scheduler.Framework;

/// <summary>
/// Resource amounts as upstream's framework.Resource: cpu in millicores, memory and
/// ephemeral-storage in bytes, pod count, and scalar (extended, hugepages) resources.
/// </summary>
public sealed class Resource
{
    public long MilliCpu;
    public long Memory;
    public long EphemeralStorage;
    public long AllowedPodNumber;
    /// <summary>Extended resources by name; null while there are none (the common case).</summary>
    public Dictionary<string, long>? Scalar;

    public const string Cpu = "cpu";
    public const string MemoryName = "memory";
    public const string EphemeralStorageName = "ephemeral-storage";
    public const string Pods = "pods";

    public long Get(string name) => name switch
    {
        Cpu => MilliCpu,
        MemoryName => Memory,
        EphemeralStorageName => EphemeralStorage,
        Pods => AllowedPodNumber,
        _ => Scalar != null && Scalar.TryGetValue(name, out var v) ? v : 0,
    };

    public void Add(Resource r, long sign = 1)
    {
        MilliCpu += sign * r.MilliCpu;
        Memory += sign * r.Memory;
        EphemeralStorage += sign * r.EphemeralStorage;
        AllowedPodNumber += sign * r.AllowedPodNumber;
        if (r.Scalar == null) return;
        Scalar ??= new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (k, v) in r.Scalar) Scalar[k] = Scalar.GetValueOrDefault(k) + sign * v;
    }

    public Resource Clone() => new()
    {
        MilliCpu = MilliCpu, Memory = Memory, EphemeralStorage = EphemeralStorage, AllowedPodNumber = AllowedPodNumber,
        Scalar = Scalar == null ? null : new Dictionary<string, long>(Scalar, StringComparer.Ordinal),
    };

    /// <summary>Node allocatable (as NewResource(node.Status.Allocatable)).</summary>
    public static Resource FromList(IDictionary<string, ResourceQuantity>? list)
    {
        var r = new Resource();
        if (list == null) return r;
        foreach (var (name, q) in list) r.Set(name, Quantity(name, q));
        return r;
    }

    internal void Set(string name, long value)
    {
        switch (name)
        {
            case Cpu: MilliCpu = value; break;
            case MemoryName: Memory = value; break;
            case EphemeralStorageName: EphemeralStorage = value; break;
            case Pods: AllowedPodNumber = value; break;
            default:
                if (IsScalar(name)) (Scalar ??= new(StringComparer.Ordinal))[name] = value;
                break;
        }
    }

    /// <summary>Extended resources (domain-qualified, not kubernetes.io/), hugepages-*, attachable-volumes-*.</summary>
    public static bool IsScalar(string name) =>
        name.StartsWith("hugepages-", StringComparison.Ordinal)
        || name.StartsWith("attachable-volumes-", StringComparison.Ordinal)
        || (name.Contains('/') && !name.StartsWith("kubernetes.io/", StringComparison.Ordinal)
            && !name.StartsWith("requests.", StringComparison.Ordinal));

    /// <summary>cpu as MilliValue, everything else as Value; both round up like resource.Quantity.</summary>
    public static long Quantity(string name, ResourceQuantity q)
    {
        var d = q.ToDecimal();
        return name == Cpu ? (long)decimal.Ceiling(d * 1000m) : (long)decimal.Ceiling(d);
    }
}
