using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Env;
using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>The CRI ContainerConfig of one container of a pod (upstream's kuberuntime_container.go generateContainerConfig).</summary>
internal static class ContainerConfigs
{
    private const long CpuPeriod = 100_000;

    public static ContainerConfig Build(V1Pod pod, V1Container container, uint attempt, string image,
        IEnumerable<KeyValue> env, IEnumerable<Mount> mounts, KubeletSettings settings)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = container.Name, Attempt = attempt },
            Image = new ImageSpec { Image = image },
            WorkingDir = container.WorkingDir ?? "",
            LogPath = $"{container.Name}/{attempt}.log",
            Stdin = container.Stdin == true,
            StdinOnce = container.StdinOnce == true,
            Tty = container.Tty == true,
            Linux = new LinuxContainerConfig
            {
                Resources = Resources(pod, container, settings),
                SecurityContext = SecurityContext(pod, container),
            },
        };
        // command/args with $(VAR) references expanded from the container's env, as upstream does.
        var mapping = EnvExpansion.MappingFor(env.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value));
        config.Command.AddRange((container.Command ?? []).Select(c => EnvExpansion.Expand(c, mapping)));
        config.Args.AddRange((container.Args ?? []).Select(a => EnvExpansion.Expand(a, mapping)));
        config.Envs.AddRange(env);
        config.Mounts.AddRange(mounts);
        config.Labels[CriLabels.PodName] = pod.Metadata.Name;
        config.Labels[CriLabels.PodNamespace] = pod.Metadata.NamespaceProperty;
        config.Labels[CriLabels.PodUid] = pod.Metadata.Uid;
        config.Labels[CriLabels.ContainerName] = container.Name;
        config.Labels[CriLabels.ContainerType] = "container";
        config.Annotations[CriLabels.RestartCount] = attempt.ToString();
        config.Annotations[CriLabels.TerminationMessagePath] = container.TerminationMessagePath ?? "/dev/termination-log";
        config.Annotations[CriLabels.TerminationMessagePolicy] = container.TerminationMessagePolicy ?? "File";
        config.Annotations[CriLabels.PodTerminationGracePeriod] = (pod.Spec.TerminationGracePeriodSeconds ?? 30).ToString();
        if (container.Lifecycle?.PreStop is { } preStop)
        {
            config.Annotations[CriLabels.PreStopHandler] = k8s.KubernetesJson.Serialize(preStop);
        }
        return config;
    }

    /// <summary>cgroup v1 values from requests and limits: shares from the CPU request, CFS quota from the CPU limit, memory limit, OOM score by QoS.</summary>
    public static LinuxContainerResources Resources(V1Pod pod, V1Container container, KubeletSettings settings)
    {
        var requests = container.Resources?.Requests;
        var limits = container.Resources?.Limits;
        var resources = new LinuxContainerResources();
        var cpuRequest = Milli(requests, "cpu") ?? Milli(limits, "cpu");
        resources.CpuShares = cpuRequest is { } r ? Math.Max(2, r * 1024 / 1000) : 2;
        if (Milli(limits, "cpu") is { } cpuLimit)
        {
            resources.CpuPeriod = CpuPeriod;
            resources.CpuQuota = Math.Max(1000, cpuLimit * CpuPeriod / 1000);
        }
        if (Bytes(limits, "memory") is { } memory)
        {
            resources.MemoryLimitInBytes = memory;
        }
        resources.OomScoreAdj = OomScoreAdj(pod, container, settings.NodeMemoryBytes);
        return resources;
    }

    /// <summary>Upstream's qos/policy.go: Guaranteed -997, BestEffort 1000, Burstable scaled by the memory request.</summary>
    private static long OomScoreAdj(V1Pod pod, V1Container container, long nodeMemory)
    {
        switch (pod.Status?.QosClass)
        {
            case "Guaranteed":
                return -997;
            case "Burstable":
                var request = Bytes(container.Resources?.Requests, "memory") ?? 0;
                var score = 1000 - 1000 * request / Math.Max(1, nodeMemory);
                return Math.Clamp(score, 3, 999);
            default:
                return 1000;
        }
    }

    private static LinuxContainerSecurityContext SecurityContext(V1Pod pod, V1Container container)
    {
        var psc = pod.Spec.SecurityContext;
        var sc = container.SecurityContext;
        var result = new LinuxContainerSecurityContext
        {
            Privileged = sc?.Privileged == true,
            ReadonlyRootfs = sc?.ReadOnlyRootFilesystem == true,
            NamespaceOptions = new NamespaceOption
            {
                Network = pod.Spec.HostNetwork == true ? NamespaceMode.Node : NamespaceMode.Pod,
                Pid = pod.Spec.HostPID == true ? NamespaceMode.Node : pod.Spec.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
                Ipc = pod.Spec.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
            },
            // allowPrivilegeEscalation false sets no_new_privs (true is the default and leaves it off).
            NoNewPrivs = sc?.AllowPrivilegeEscalation == false,
        };
        if ((sc?.RunAsUser ?? psc?.RunAsUser) is { } uid)
        {
            result.RunAsUser = new Int64Value { Value = uid };
        }
        if ((sc?.RunAsGroup ?? psc?.RunAsGroup) is { } gid)
        {
            result.RunAsGroup = new Int64Value { Value = gid };
        }
        if (psc?.SupplementalGroups is { } groups)
        {
            result.SupplementalGroups.AddRange(groups.OfType<long>());
        }
        if (psc?.FsGroup is { } fsGroup)
        {
            result.SupplementalGroups.Add(fsGroup);
        }
        if (sc?.Capabilities is { } caps)
        {
            result.Capabilities = new Capability();
            result.Capabilities.AddCapabilities.AddRange(caps.Add ?? []);
            result.Capabilities.DropCapabilities.AddRange(caps.Drop ?? []);
        }
        var seccomp = sc?.SeccompProfile ?? psc?.SeccompProfile;
        if (seccomp?.Type == "RuntimeDefault")
        {
            result.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault };
        }
        else if (seccomp?.Type == "Localhost" && seccomp.LocalhostProfile is { } profile)
        {
            result.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Localhost, LocalhostRef = profile };
        }
        return result;
    }

    public static long? Milli(IDictionary<string, ResourceQuantity>? list, string name) =>
        list != null && list.TryGetValue(name, out var q) ? (long)Math.Ceiling(q.ToDecimal() * 1000) : null;

    public static long? Bytes(IDictionary<string, ResourceQuantity>? list, string name) =>
        list != null && list.TryGetValue(name, out var q) ? (long)Math.Ceiling(q.ToDecimal()) : null;
}
