using Coxswain.Kubelet.Cri.V1;
using Coxswain.Kubelet.Runtime;
using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>Volumes and env on this node (placeholder until the volume manager lands: env values, emptyDir, hostPath, termination messages).</summary>
internal sealed class NodePodResources(AgentPaths paths) : IPodResources
{
    private string PodDir(string uid) => Path.Combine(paths.PodsDir, uid);

    public Task PrepareAsync(V1Pod pod, CancellationToken ct)
    {
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            if (volume.EmptyDir != null)
            {
                Directory.CreateDirectory(Path.Combine(PodDir(pod.Metadata.Uid), "volumes", "kubernetes.io~empty-dir", volume.Name));
            }
        }
        foreach (var c in SandboxConfigs.AllContainers(pod.Spec))
        {
            var file = TerminationMessageFile(pod.Metadata.Uid, c.Name)!;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            if (!File.Exists(file))
            {
                File.WriteAllText(file, "");
            }
        }
        return Task.CompletedTask;
    }

    public Task RefreshAsync(V1Pod pod, CancellationToken ct) => Task.CompletedTask;

    public Task<IReadOnlyList<KeyValue>> EnvAsync(V1Pod pod, V1Container container, string? podIp, string hostIp, CancellationToken ct)
    {
        var env = new List<KeyValue>();
        foreach (var e in container.Env ?? [])
        {
            env.Add(new KeyValue { Key = e.Name, Value = e.Value ?? "" });
        }
        return Task.FromResult<IReadOnlyList<KeyValue>>(env);
    }

    public IReadOnlyList<Mount> Mounts(V1Pod pod, V1Container container, IReadOnlyList<KeyValue> env)
    {
        var mounts = new List<Mount>();
        foreach (var m in container.VolumeMounts ?? [])
        {
            var volume = pod.Spec.Volumes?.FirstOrDefault(v => v.Name == m.Name);
            var host = volume?.EmptyDir != null ? Path.Combine(PodDir(pod.Metadata.Uid), "volumes", "kubernetes.io~empty-dir", m.Name)
                : volume?.HostPath?.Path;
            if (host != null)
            {
                mounts.Add(new Mount { ContainerPath = m.MountPath, HostPath = host, Readonly = m.ReadOnlyProperty == true });
            }
        }
        mounts.Add(new Mount { ContainerPath = container.TerminationMessagePath ?? "/dev/termination-log", HostPath = TerminationMessageFile(pod.Metadata.Uid, container.Name)! });
        return mounts;
    }

    public string? TerminationMessageFile(string podUid, string container) => Path.Combine(PodDir(podUid), "containers", container, "termination-log");

    public Task TeardownAsync(string podUid, CancellationToken ct)
    {
        if (Directory.Exists(PodDir(podUid)))
        {
            Directory.Delete(PodDir(podUid), recursive: true);
        }
        return Task.CompletedTask;
    }
}
