namespace Coxswain.Kubelet.Pods;

/// <summary>
/// runc removes a container's own cgroup but leaves the pod-level parents it created in every hierarchy (G4);
/// upstream's kubelet removes pod cgroups itself once the pod is gone.
/// </summary>
internal static class PodCgroups
{
    private const string CgroupFs = "/sys/fs/cgroup";

    public static void Remove(string cgroupRoot, string podUid)
    {
        if (!Directory.Exists(CgroupFs))
        {
            return;
        }
        var root = cgroupRoot.Trim('/');
        foreach (var hierarchy in Directory.EnumerateDirectories(CgroupFs))
        {
            foreach (var qos in new[] { "", "burstable", "besteffort" })
            {
                var dir = Path.Combine(hierarchy, root, qos, "pod" + podUid);
                RemoveTree(dir);
            }
        }
    }

    /// <summary>Depth first, rmdir only: a cgroup dir goes only once it has no children and no processes.</summary>
    private static void RemoveTree(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }
        try
        {
            foreach (var child in Directory.EnumerateDirectories(dir))
            {
                RemoveTree(child);
            }
            Directory.Delete(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still has processes (a container being killed); the next cleanup gets it.
        }
    }
}
