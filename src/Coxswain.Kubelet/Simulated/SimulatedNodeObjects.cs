using k8s.Models;

namespace Coxswain.Kubelet.Simulated;

/// <summary>The Node object and status a simulated kubelet posts.</summary>
internal static class SimulatedNodeObjects
{
    public const string KubeletVersion = "v1.32.0";

    public static V1Node Node(SimulatedNode node, SimulatedNodeOptions options, DateTime now)
    {
        var labels = new Dictionary<string, string>(options.Template?.Metadata?.Labels ?? new Dictionary<string, string>());
        foreach (var (k, v) in options.Labels)
        {
            labels[k] = v;
        }
        foreach (var (k, v) in new Dictionary<string, string>
        {
            ["kubernetes.io/hostname"] = node.Name,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = "amd64",
            ["type"] = "kwok",
        })
        {
            labels.TryAdd(k, v);
        }
        return new V1Node
        {
            Metadata = new V1ObjectMeta
            {
                Name = node.Name,
                Labels = labels,
                Annotations = new Dictionary<string, string> { ["coxswain.dev/simulated"] = "true" },
            },
            Spec = new V1NodeSpec { PodCIDR = node.PodCidr, PodCIDRs = [node.PodCidr], Taints = options.Template?.Spec?.Taints },
            Status = Status(node, options, now),
        };
    }

    public static V1NodeStatus Status(SimulatedNode node, SimulatedNodeOptions options, DateTime now)
    {
        var capacity = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(options.Cpu),
            ["memory"] = new(options.Memory),
            ["pods"] = new(options.Pods),
            ["ephemeral-storage"] = new("100Gi"),
        };
        foreach (var (k, v) in options.Template?.Status?.Capacity ?? new Dictionary<string, ResourceQuantity>())
        {
            capacity[k] = v;
        }
        return new V1NodeStatus
        {
            Capacity = capacity,
            Allocatable = new Dictionary<string, ResourceQuantity>(capacity),
            Addresses =
            [
                new V1NodeAddress { Address = node.InternalIp, Type = "InternalIP" },
                new V1NodeAddress { Address = node.Name, Type = "Hostname" },
            ],
            Conditions =
            [
                Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now),
                Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
            ],
            NodeInfo = new V1NodeSystemInfo
            {
                Architecture = "amd64",
                OperatingSystem = "linux",
                OsImage = "Coxswain simulated node",
                KernelVersion = "simulated",
                KubeletVersion = KubeletVersion,
                KubeProxyVersion = KubeletVersion,
                ContainerRuntimeVersion = "simulated://1.0.0",
                MachineID = node.Name,
                SystemUUID = node.Name,
                BootID = node.Name,
            },
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = 10250 } },
        };
    }

    // Simulated nodes never change state, so the transition time is the first time they posted it.
    private static readonly DateTime Started = DateTime.UtcNow;

    private static V1NodeCondition Condition(string type, string status, string reason, string message, DateTime now) =>
        new() { Status = status, Type = type, LastHeartbeatTime = now, LastTransitionTime = Started, Message = message, Reason = reason };
}
