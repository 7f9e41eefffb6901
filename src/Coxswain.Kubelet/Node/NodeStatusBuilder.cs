using k8s.Models;

namespace Coxswain.Kubelet.Node;

/// <summary>
/// The Node a real kubelet registers and the status it posts, from machine and runtime facts (upstream's
/// initialNode and nodestatus setters). Pure: the same inputs give the same object.
/// </summary>
internal static class NodeStatusBuilder
{
    public const string KubeletVersion = "v1.32.0";

    /// <summary>Upstream's nodeStatusMaxImages and MaxNamesPerImageInNodeStatus.</summary>
    public const int MaxImages = 50;
    public const int MaxNamesPerImage = 5;

    /// <summary>The labels the kubelet owns and sets to its own values, also on an existing Node.</summary>
    public static Dictionary<string, string> DefaultLabels(string nodeName, MachineFacts machine) => new(StringComparer.Ordinal)
    {
        ["kubernetes.io/hostname"] = nodeName,
        ["kubernetes.io/os"] = "linux",
        ["kubernetes.io/arch"] = machine.Architecture,
        ["beta.kubernetes.io/os"] = "linux",
        ["beta.kubernetes.io/arch"] = machine.Architecture,
    };

    public static V1Node InitialNode(string nodeName, NodeAgentOptions options, MachineFacts machine, RuntimeFacts? runtime, bool runtimeDown, DateTime now)
    {
        var labels = new Dictionary<string, string>(options.Labels, StringComparer.Ordinal);
        foreach (var (k, v) in DefaultLabels(nodeName, machine))
        {
            labels[k] = v;
        }
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = nodeName, Labels = labels },
            Status = Status(nodeName, options, machine, runtime, runtimeDown, previous: null, now),
        };
    }

    public static V1NodeStatus Status(string nodeName, NodeAgentOptions options, MachineFacts machine, RuntimeFacts? runtime, bool runtimeDown,
        IEnumerable<V1NodeCondition>? previous, DateTime now)
    {
        var capacity = Capacity(options, machine);
        var eviction = options.Eviction;
        return new V1NodeStatus
        {
            Capacity = capacity.ToDictionary(kv => kv.Key, kv => Format(kv.Key, kv.Value)),
            Allocatable = Allocatable(capacity, options).ToDictionary(kv => kv.Key, kv => Format(kv.Key, kv.Value)),
            Conditions = NodeConditions.Build(previous, eviction.MemoryPressure(machine), eviction.DiskPressure(machine), eviction.PidPressure(machine),
                NodeConditions.NotReadyReasons(runtime, runtimeDown), now),
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = options.NodeIp ?? machine.DefaultIPv4 ?? "127.0.0.1" },
                new V1NodeAddress { Type = "Hostname", Address = nodeName },
            ],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = options.KubeletPort } },
            NodeInfo = new V1NodeSystemInfo
            {
                MachineID = machine.MachineId,
                SystemUUID = machine.SystemUuid,
                BootID = machine.BootId,
                KernelVersion = machine.KernelVersion,
                OsImage = machine.OsImage,
                ContainerRuntimeVersion = runtime is null ? "" : $"{runtime.Name}://{runtime.Version}",
                KubeletVersion = KubeletVersion,
                KubeProxyVersion = KubeletVersion,
                OperatingSystem = "linux",
                Architecture = machine.Architecture,
            },
            Images = Images(runtime?.Images ?? []),
        };
    }

    /// <summary>Capacity in base units: cpu in millicores, memory and storage in bytes, pods as a count.</summary>
    public static Dictionary<string, long> Capacity(NodeAgentOptions options, MachineFacts machine) => new(StringComparer.Ordinal)
    {
        ["cpu"] = machine.Cpus * 1000L,
        ["memory"] = machine.MemoryBytes,
        ["pods"] = options.MaxPods,
        ["ephemeral-storage"] = machine.Filesystem.CapacityBytes,
        ["hugepages-1Gi"] = 0,
        ["hugepages-2Mi"] = 0,
    };

    /// <summary>Capacity minus reserved (--kube-reserved + --system-reserved) minus what hard eviction holds back.</summary>
    public static Dictionary<string, long> Allocatable(Dictionary<string, long> capacity, NodeAgentOptions options)
    {
        var allocatable = new Dictionary<string, long>(capacity, StringComparer.Ordinal);
        foreach (var (name, quantity) in options.Reserved)
        {
            if (allocatable.TryGetValue(name, out var value))
            {
                var amount = new ResourceQuantity(quantity).ToDecimal();
                allocatable[name] = value - (long)(name == "cpu" ? amount * 1000 : amount);
            }
        }
        allocatable["memory"] -= options.Eviction.MemoryReservedBytes(capacity["memory"]);
        allocatable["ephemeral-storage"] -= options.Eviction.NodefsReservedBytes(capacity["ephemeral-storage"]);
        foreach (var name in allocatable.Keys.ToList())
        {
            allocatable[name] = Math.Max(0, allocatable[name]);
        }
        return allocatable;
    }

    private static ResourceQuantity Format(string name, long value) => name switch
    {
        "cpu" => Quantities.MilliCpu(value),
        "pods" => Quantities.Count(value),
        _ => Quantities.Bytes(value),
    };

    /// <summary>The largest images first, each named by its repo digests then its tags (upstream's ordering and caps).</summary>
    public static List<V1ContainerImage> Images(IReadOnlyList<RuntimeImage> images) =>
        images.OrderByDescending(i => i.SizeBytes)
            .Select(i => new V1ContainerImage { Names = i.RepoDigests.Concat(i.RepoTags).Take(MaxNamesPerImage).ToList(), SizeBytes = i.SizeBytes })
            .Where(i => i.Names.Count > 0)
            .Take(MaxImages)
            .ToList();
}
