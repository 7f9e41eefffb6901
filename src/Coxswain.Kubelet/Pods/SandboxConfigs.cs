using Coxswain.Kubelet.Cri.V1;
using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>The CRI PodSandboxConfig of a pod, as upstream's kubelet builds it (kuberuntime_sandbox.go).</summary>
internal static class SandboxConfigs
{
    public static PodSandboxConfig Build(V1Pod pod, uint attempt, KubeletSettings settings)
    {
        var meta = pod.Metadata;
        var spec = pod.Spec;
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = meta.Name, Namespace = meta.NamespaceProperty, Uid = meta.Uid, Attempt = attempt },
            // Host-network pods see the node's hostname; others the pod name (or spec.hostname).
            Hostname = spec.HostNetwork == true ? "" : Hostname(pod),
            LogDirectory = settings.Paths.PodLogDirectory(meta.NamespaceProperty, meta.Name, meta.Uid),
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = CgroupParent(pod, settings.CgroupRoot),
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = new NamespaceOption
                    {
                        Network = spec.HostNetwork == true ? NamespaceMode.Node : NamespaceMode.Pod,
                        Pid = spec.HostPID == true ? NamespaceMode.Node : spec.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
                        Ipc = spec.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
                    },
                    // containerd refuses privileged containers in an unprivileged sandbox (G8).
                    Privileged = AllContainers(spec).Any(c => c.SecurityContext?.Privileged == true),
                },
            },
        };
        if (spec.SecurityContext is { } psc)
        {
            if (psc.RunAsUser is { } uid)
            {
                config.Linux.SecurityContext.RunAsUser = new Int64Value { Value = uid };
            }
            if (psc.RunAsGroup is { } gid)
            {
                config.Linux.SecurityContext.RunAsGroup = new Int64Value { Value = gid };
            }
            if (psc.SupplementalGroups is { } groups)
            {
                config.Linux.SecurityContext.SupplementalGroups.AddRange(groups.OfType<long>());
            }
            if (psc.FsGroup is { } fsGroup)
            {
                config.Linux.SecurityContext.SupplementalGroups.Add(fsGroup);
            }
            foreach (var sysctl in psc.Sysctls ?? [])
            {
                config.Linux.Sysctls[sysctl.Name] = sysctl.Value;
            }
        }
        foreach (var (k, v) in meta.Labels ?? new Dictionary<string, string>())
        {
            config.Labels[k] = v;
        }
        config.Labels[CriLabels.PodName] = meta.Name;
        config.Labels[CriLabels.PodNamespace] = meta.NamespaceProperty;
        config.Labels[CriLabels.PodUid] = meta.Uid;
        foreach (var (k, v) in meta.Annotations ?? new Dictionary<string, string>())
        {
            config.Annotations[k] = v;
        }
        config.Annotations[CriLabels.PodTerminationGracePeriod] = (spec.TerminationGracePeriodSeconds ?? 30).ToString();
        foreach (var c in spec.Containers)
        {
            foreach (var p in c.Ports ?? [])
            {
                if (p.HostPort is > 0)
                {
                    config.PortMappings.Add(new PortMapping
                    {
                        ContainerPort = p.ContainerPort,
                        HostPort = p.HostPort.Value,
                        HostIp = p.HostIP ?? "",
                        Protocol = p.Protocol switch { "UDP" => Protocol.Udp, "SCTP" => Protocol.Sctp, _ => Protocol.Tcp },
                    });
                }
            }
        }
        if (Dns(pod, settings) is { } dns)
        {
            config.DnsConfig = dns;
        }
        return config;
    }

    private static string Hostname(V1Pod pod)
    {
        var name = pod.Spec.Hostname ?? pod.Metadata.Name;
        // A hostname is at most 63 characters (upstream truncates and trims a trailing '-' or '.').
        return name.Length <= 63 ? name : name[..63].TrimEnd('-', '.');
    }

    /// <summary>
    /// Upstream's cgroupfs layout: Guaranteed pods directly under the root, the others under burstable/ or
    /// besteffort/. An absolute path, so runc does not resolve it against the shim's own cgroup (G4).
    /// </summary>
    public static string CgroupParent(V1Pod pod, string cgroupRoot)
    {
        var qos = pod.Status?.QosClass ?? "BestEffort";
        var root = "/" + cgroupRoot.Trim('/');
        return qos switch
        {
            "Guaranteed" => $"{root}/pod{pod.Metadata.Uid}",
            "Burstable" => $"{root}/burstable/pod{pod.Metadata.Uid}",
            _ => $"{root}/besteffort/pod{pod.Metadata.Uid}",
        };
    }

    /// <summary>dnsPolicy None and a pod dnsConfig give a resolv.conf; cluster DNS does not exist yet, so ClusterFirst falls back to the host's as upstream does without --cluster-dns.</summary>
    private static DNSConfig? Dns(V1Pod pod, KubeletSettings settings)
    {
        var policy = pod.Spec.DnsPolicy ?? "ClusterFirst";
        var custom = pod.Spec.DnsConfig;
        DNSConfig? dns = null;
        if (policy is "ClusterFirst" or "ClusterFirstWithHostNet" && settings.ClusterDns.Count > 0 && (pod.Spec.HostNetwork != true || policy == "ClusterFirstWithHostNet"))
        {
            var ns = pod.Metadata.NamespaceProperty;
            var domain = settings.ClusterDomain;
            dns = new DNSConfig();
            dns.Servers.AddRange(settings.ClusterDns);
            dns.Searches.AddRange([$"{ns}.svc.{domain}", $"svc.{domain}", domain]);
            dns.Options.Add("ndots:5");
        }
        if (custom != null)
        {
            dns ??= new DNSConfig();
            dns.Servers.AddRange(custom.Nameservers ?? []);
            dns.Searches.AddRange(custom.Searches ?? []);
            foreach (var o in custom.Options ?? [])
            {
                dns.Options.Add(o.Value is null ? o.Name : $"{o.Name}:{o.Value}");
            }
        }
        return dns;
    }

    public static IEnumerable<V1Container> AllContainers(V1PodSpec spec) => (spec.InitContainers ?? []).Concat(spec.Containers);
}
