using System.Globalization;
using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>
/// runc removes a container's own cgroup but leaves the pod-level parents it created in every hierarchy (G4);
/// upstream's kubelet removes pod cgroups itself once the pod is gone.
/// </summary>
internal static class PodCgroups
{
    private const string CgroupFs = "/sys/fs/cgroup";
    private const long CpuPeriod = 100_000;

    /// <summary>
    /// Upstream's pod-level cgroup values (ResourceConfigForPod), written before the sandbox starts: CPU shares from
    /// the pod's CPU requests, a CFS quota and a memory limit only when every container has that limit (else none).
    /// </summary>
    public static void Configure(V1Pod pod, string cgroupRoot)
    {
        if (!Directory.Exists(Path.Combine(CgroupFs, "memory")))
        {
            return; // not cgroup v1
        }
        var parent = SandboxConfigs.CgroupParent(pod, cgroupRoot).TrimStart('/');
        var (cpuRequest, cpuLimit, memoryLimit) = PodTotals(pod.Spec);
        Write(Path.Combine(CgroupFs, "cpu", parent), "cpu.shares", Math.Max(2, cpuRequest * 1024 / 1000).ToString(CultureInfo.InvariantCulture));
        Write(Path.Combine(CgroupFs, "cpu", parent), "cpu.cfs_period_us", CpuPeriod.ToString(CultureInfo.InvariantCulture));
        Write(Path.Combine(CgroupFs, "cpu", parent), "cpu.cfs_quota_us",
            cpuLimit is { } cpu ? Math.Max(1000, cpu * CpuPeriod / 1000).ToString(CultureInfo.InvariantCulture) : "-1");
        Write(Path.Combine(CgroupFs, "memory", parent), "memory.limit_in_bytes", memoryLimit?.ToString(CultureInfo.InvariantCulture) ?? "-1");
    }

    /// <summary>
    /// The pod's CPU request (milli) and, when every container sets them, its CPU (milli) and memory limits: app
    /// containers and sidecars add up; a regular init container runs alone, beside the sidecars started before it.
    /// </summary>
    public static (long CpuRequest, long? CpuLimit, long? MemoryLimit) PodTotals(V1PodSpec spec)
    {
        static long Milli(IDictionary<string, ResourceQuantity>? values) =>
            values?.TryGetValue("cpu", out var q) == true ? (long)(q.ToDecimal() * 1000) : 0;
        static long? Limit(V1Container c, string name) =>
            c.Resources?.Limits?.TryGetValue(name, out var q) == true ? (long)(name == "cpu" ? q.ToDecimal() * 1000 : q.ToDecimal()) : null;
        // A request defaults to the limit (the API server does that too; the kubelet does not count on it).
        static long Request(V1Container c) => c.Resources?.Requests?.ContainsKey("cpu") == true ? Milli(c.Resources.Requests) : Milli(c.Resources?.Limits);

        var all = spec.Containers.Concat(spec.InitContainers ?? []).ToList();
        bool Everyone(string name) => all.All(c => Limit(c, name) is not null);
        long request = 0, sidecarRequest = 0, initRequest = 0;
        long cpu = 0, sidecarCpu = 0, initCpu = 0, memory = 0, sidecarMemory = 0, initMemory = 0;
        foreach (var init in spec.InitContainers ?? [])
        {
            if (init.IsSidecar())
            {
                sidecarRequest += Request(init);
                sidecarCpu += Limit(init, "cpu") ?? 0;
                sidecarMemory += Limit(init, "memory") ?? 0;
                continue;
            }
            initRequest = Math.Max(initRequest, sidecarRequest + Request(init));
            initCpu = Math.Max(initCpu, sidecarCpu + (Limit(init, "cpu") ?? 0));
            initMemory = Math.Max(initMemory, sidecarMemory + (Limit(init, "memory") ?? 0));
        }
        foreach (var c in spec.Containers)
        {
            request += Request(c);
            cpu += Limit(c, "cpu") ?? 0;
            memory += Limit(c, "memory") ?? 0;
        }
        return (Math.Max(request + sidecarRequest, initRequest),
            Everyone("cpu") ? Math.Max(cpu + sidecarCpu, initCpu) : null,
            Everyone("memory") ? Math.Max(memory + sidecarMemory, initMemory) : null);
    }

    private static void Write(string dir, string file, string value)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, file), value);
    }

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
