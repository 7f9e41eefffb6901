namespace Coxswain.Kubelet.Runtime;

/// <summary>
/// containerd's config.toml for an agent: private root, state and socket under the agent's data dir, the CRI
/// plugin set up as verified on this kind of machine (shared/reference/cri-containerd.md §1.2): cgroupfs,
/// clamped OOM scores (root lacks CAP_SYS_RESOURCE), pod netns files under the state dir, streaming on
/// loopback, CNI from Debian's plugin dir, registry mirrors from hosts.toml files.
/// </summary>
public static class ContainerdConfig
{
    /// <summary>The pause image every sandbox runs; the agent makes sure containerd has it before pods start.</summary>
    public const string DefaultSandboxImage = "registry.k8s.io/pause:3.10";

    public static string Render(AgentPaths paths, string sandboxImage = DefaultSandboxImage, string cniBinDir = "/usr/lib/cni") => $$"""
        version = 2
        root = "{{paths.ContainerdRoot}}"
        state = "{{paths.ContainerdState}}"

        [grpc]
          address = "{{paths.ContainerdSocket}}"

        [plugins]
          [plugins."io.containerd.internal.v1.opt"]
            path = "{{Path.Combine(paths.ContainerdDir, "opt")}}"

          [plugins."io.containerd.grpc.v1.cri"]
            sandbox_image = "{{sandboxImage}}"
            stream_server_address = "127.0.0.1"
            stream_server_port = "0"
            disable_apparmor = true
            restrict_oom_score_adj = true
            netns_mounts_under_state_dir = true

            [plugins."io.containerd.grpc.v1.cri".containerd]
              snapshotter = "overlayfs"
              default_runtime_name = "runc"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                runtime_type = "io.containerd.runc.v2"
                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                  SystemdCgroup = false
                  Root = "{{paths.RuncRoot}}"

            [plugins."io.containerd.grpc.v1.cri".cni]
              bin_dir = "{{cniBinDir}}"
              conf_dir = "{{paths.CniConfDir}}"
              max_conf_num = 1

            [plugins."io.containerd.grpc.v1.cri".registry]
              config_path = "{{paths.RegistryHostsDir}}"

        """;
}
