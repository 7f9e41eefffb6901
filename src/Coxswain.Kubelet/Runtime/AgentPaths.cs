namespace Coxswain.Kubelet.Runtime;

/// <summary>
/// Where a real node agent keeps its files, all under one data dir (as k3s keeps its agent under
/// /var/lib/rancher/k3s/agent): containerd's root, state, socket and config, the CNI config and IPAM
/// state, pod volumes and container logs.
/// </summary>
public sealed record AgentPaths(string DataDir)
{
    public string ContainerdDir => Path.Combine(DataDir, "containerd");
    public string ContainerdConfig => Path.Combine(ContainerdDir, "config.toml");
    /// <summary>Unix socket paths are limited to 108 bytes, so the socket sits at the top of the data dir.</summary>
    public string ContainerdSocket => Path.Combine(DataDir, "containerd.sock");
    public string ContainerdRoot => Path.Combine(ContainerdDir, "root");
    public string ContainerdState => Path.Combine(ContainerdDir, "state");
    public string ContainerdLog => Path.Combine(ContainerdDir, "containerd.log");
    /// <summary>containerd's <c>registry.config_path</c>: one <c>&lt;host&gt;/hosts.toml</c> per mirrored registry.</summary>
    public string RegistryHostsDir => Path.Combine(ContainerdDir, "certs.d");
    public string RuncRoot => Path.Combine(ContainerdDir, "runc");
    public string CniConfDir => Path.Combine(DataDir, "cni", "net.d");
    public string CniIpamDir => Path.Combine(DataDir, "cni", "ipam");
    /// <summary>Per-pod files: <c>pods/&lt;uid&gt;/volumes/...</c> and termination-message files.</summary>
    public string PodsDir => Path.Combine(DataDir, "pods");
    /// <summary>Container logs: <c>logs/pods/&lt;ns&gt;_&lt;name&gt;_&lt;uid&gt;/&lt;container&gt;/&lt;attempt&gt;.log</c>, as upstream's /var/log/pods.</summary>
    public string PodLogsDir => Path.Combine(DataDir, "logs", "pods");

    public string PodLogDirectory(string ns, string name, string uid) => Path.Combine(PodLogsDir, $"{ns}_{name}_{uid}");
}
