using System.Runtime.InteropServices;
using Coxswain.Kubelet.Env;
using k8s.Models;

namespace Coxswain.Kubelet.Volumes;

public sealed partial class PodVolumes
{
    /// <summary>
    /// A container's bind mounts (upstream's makeMounts): each volumeMount with its subPath or subPathExpr (expanded
    /// from the container's resolved env; a missing sub directory is created), read-only when asked or when the
    /// volume is configMap/secret/downwardAPI/projected, and the termination-message file (a new one per call, so call
    /// once per container start). With the pod's IPs (from the sandbox) it also writes and mounts the managed
    /// /etc/hosts, unless the container mounts something there itself. Throws <see cref="ContainerConfigException"/>
    /// with upstream's message.
    /// </summary>
    public IReadOnlyList<ContainerMount> MountsFor(V1Pod pod, V1Container container, IReadOnlyList<EnvVar> env, IReadOnlyList<string>? podIPs = null)
    {
        var volumes = (pod.Spec.Volumes ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        var mounts = new List<ContainerMount>();
        foreach (var mount in container.VolumeMounts ?? [])
        {
            if (!volumes.TryGetValue(mount.Name, out var volume))
            {
                throw new ContainerConfigException($"cannot find volume \"{mount.Name}\" to mount into container \"{container.Name}\"");
            }
            var hostPath = VolumePath(pod.Metadata.Uid, volume);
            var subPath = string.IsNullOrEmpty(mount.SubPathExpr) ? mount.SubPath : ExpandSubPath(mount.SubPathExpr, env);
            if (!string.IsNullOrEmpty(subPath))
            {
                hostPath = SubPathOf(hostPath, subPath, mount, container);
            }
            var readOnly = mount.ReadOnlyProperty == true || IsApiBacked(volume);
            mounts.Add(new ContainerMount(hostPath, mount.MountPath, readOnly, Propagation(mount, container)));
        }
        if (podIPs is { Count: > 0 } && !mounts.Any(m => m.ContainerPath == EtcHosts.ContainerPath))
        {
            var hostsFile = EtcHosts.Write(PodDir(pod.Metadata.Uid), pod, podIPs, options.ClusterDomain);
            mounts.Add(new ContainerMount(hostsFile, EtcHosts.ContainerPath, false, MountPropagation.Private));
        }
        if (TerminationMessagePath(container) is { } messagePath)
        {
            mounts.Add(new ContainerMount(TerminationMessage.Create(PodDir(pod.Metadata.Uid), container.Name), messagePath, false, MountPropagation.Private));
        }
        return mounts;
    }

    /// <summary>Where the container's termination message is mounted (upstream defaults it to /dev/termination-log).</summary>
    public static string? TerminationMessagePath(V1Container container) => container.TerminationMessagePath switch
    {
        null => TerminationMessage.DefaultPath,
        "" => null,
        var path => path,
    };

    private static string ExpandSubPath(string expression, IReadOnlyList<EnvVar> env)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in env)
        {
            values[variable.Name] = variable.Value;
        }
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var expanded = EnvExpansion.Expand(expression, name =>
        {
            if (!values.TryGetValue(name, out var value) || value.Length == 0)
            {
                missing.Add(name);
                return "";
            }
            return value;
        });
        return missing.Count > 0 ? throw new ContainerConfigException($"missing value for {string.Join(", ", missing)}") : expanded;
    }

    // The sub directory must stay inside the volume, also through symlinks (configMap keys are symlinks via ..data).
    private static string SubPathOf(string volumePath, string subPath, V1VolumeMount mount, V1Container container)
    {
        if (subPath.StartsWith('/'))
        {
            throw new ContainerConfigException($"error SubPath `{subPath}` must not be an absolute path");
        }
        if (subPath.Split('/').Contains(".."))
        {
            throw new ContainerConfigException($"unable to provision SubPath `{subPath}`: must not contain '..'");
        }
        var hostPath = Path.Combine(volumePath, subPath);
        if (!Path.Exists(hostPath))
        {
            try
            {
                UnixFiles.CreateDirectory(hostPath, UnixFiles.GetMode(volumePath));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ContainerConfigException($"failed to create subPath directory for volumeMount \"{mount.Name}\" of container \"{container.Name}\"");
            }
        }
        var resolved = RealPath(hostPath);
        var root = RealPath(volumePath);
        if (resolved != root && !resolved.StartsWith(root + "/", StringComparison.Ordinal))
        {
            throw new ContainerConfigException($"subpath \"{resolved}\" not within volume path \"{root}\"");
        }
        return resolved;
    }

    private static MountPropagation Propagation(V1VolumeMount mount, V1Container container) => mount.MountPropagation switch
    {
        null or "" or "None" => MountPropagation.Private,
        "HostToContainer" => MountPropagation.HostToContainer,
        "Bidirectional" when container.SecurityContext?.Privileged == true => MountPropagation.Bidirectional,
        "Bidirectional" => throw new ContainerConfigException("Bidirectional mount propagation is available only to privileged containers"),
        var other => throw new ContainerConfigException($"invalid MountPropagation mode: {other}"),
    };

    private static string RealPath(string path)
    {
        var resolved = NativeRealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            throw new ContainerConfigException($"unable to resolve {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved)!;
        }
        finally
        {
            NativeFree(resolved);
        }
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr NativeRealPath(string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void NativeFree(IntPtr pointer);
}
