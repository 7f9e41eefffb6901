using System.Runtime.InteropServices;

namespace Coxswain.Kubelet.Tests.Harness;

/// <summary>
/// Removes everything a test node put on the machine, in an order that works even when the test
/// process crashed earlier: processes, mounts, cgroups, the network namespace, CNI cache entries, the
/// harness dir. Never throws; returns what could not be removed.
/// </summary>
/// <remarks>
/// Mounts: verified on this machine (iproute2 6.1) that `ip netns exec` gives its child a new mount
/// namespace (with / made a slave, so nothing propagates back) and replaces /sys with a sysfs of the
/// netns, which leaves /sys/fs/cgroup empty: runc could not create any cgroup there. The harness
/// therefore starts the server with `nsenter --net` + `unshare --mount --propagation slave` and
/// moves the cgroup mounts onto a fresh sysfs itself (<see cref="NodeProcess.Launcher"/>). Either way the
/// mounts containerd makes (overlay rootfs, pod netns files under its state dir) live only in that
/// private mount namespace and vanish when its last process exits; the unmount step below is for
/// anything mounted in the root namespace under the harness dir (it also keeps the recursive delete
/// from ever descending into a mounted directory).
/// </remarks>
internal static class TestNodeCleanup
{
    private const string CgroupFs = "/sys/fs/cgroup";
    private const string CniResultsDir = "/var/lib/cni/results";
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private const int MntDetach = 2;

    private static readonly Lazy<IReadOnlyList<string>> StaleSweep = new(SweepStale);

    /// <summary>Runs the sweep once per test process, before its first node; what it could not remove goes to stderr.</summary>
    public static void SweepStaleOnce()
    {
        foreach (var problem in StaleSweep.Value)
        {
            Console.Error.WriteLine($"stale test node sweep: {problem}");
        }
    }

    /// <summary>Cleans up every cox-t-* node whose owner process is gone; returns what remained.</summary>
    public static IReadOnlyList<string> SweepStale()
    {
        var names = new HashSet<string>();
        var remaining = new List<string>();
        Attempt(remaining, "listing namespaces", () =>
        {
            foreach (var line in HostCommand.Run("ip", "netns", "list").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(line.Split(' ')[0]);
            }
        });
        Attempt(remaining, "listing harness dirs", () => names.UnionWith(Directory.EnumerateDirectories("/tmp", TestNodeName.Prefix + "*").Select(Path.GetFileName).OfType<string>()));
        foreach (var hierarchy in CgroupHierarchies())
        {
            Attempt(remaining, "listing cgroups", () => names.UnionWith(Directory.EnumerateDirectories(hierarchy, TestNodeName.Prefix + "*").Select(Path.GetFileName).OfType<string>()));
        }
        foreach (var name in names.Select(TestNodeName.Parse).OfType<TestNodeName>())
        {
            if (!name.OwnerAlive())
            {
                remaining.AddRange(CleanUp(name));
            }
        }
        return remaining;
    }

    public static IReadOnlyList<string> CleanUp(TestNodeName node, TimeSpan? grace = null)
    {
        var problems = new List<string>();
        Attempt(problems, "processes", () => StopProcesses(node, grace ?? TimeSpan.FromSeconds(10)));
        Attempt(problems, "mounts", () => Unmount(node.HarnessDir));
        Attempt(problems, "cgroups", () => RemoveCgroups(node.CgroupRoot));
        Attempt(problems, "cni results", () => RemoveCniResults(node.HarnessDir));
        Attempt(problems, "shim sockets", () => RemoveShimSockets(node.HarnessDir));
        Attempt(problems, "netns", () => DeleteNetns(node));
        Attempt(problems, "harness dir", () => DeleteHarnessDir(node.HarnessDir));
        return problems;
    }

    /// <summary>Processes in the namespace (server, agent, containerd, shims) or in the node's cgroups (containers).</summary>
    public static IReadOnlySet<int> Processes(TestNodeName node)
    {
        var pids = new HashSet<int>();
        if (File.Exists(node.NetnsPath))
        {
            foreach (var pid in HostCommand.Run("ip", "netns", "pids", node.NetnsName).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                pids.Add(int.Parse(pid));
            }
        }
        foreach (var dir in CgroupDirs(node.CgroupRoot))
        {
            var procs = Path.Combine(dir, "cgroup.procs");
            if (File.Exists(procs))
            {
                foreach (var pid in File.ReadAllLines(procs).Where(l => l.Length > 0))
                {
                    pids.Add(int.Parse(pid));
                }
            }
        }
        pids.Remove(Environment.ProcessId);
        pids.RemoveWhere(pid => TestNodeName.ProcessStartTime(pid) == null);
        return pids;
    }

    /// <summary>Every cgroup hierarchy (v1 controllers, name=systemd, the cgroup2 "unified"), once each.</summary>
    public static IEnumerable<string> CgroupHierarchies()
    {
        if (!Directory.Exists(CgroupFs))
        {
            return [];
        }
        // cpu and cpuacct are symlinks to "cpu,cpuacct": keep real directories only.
        return new DirectoryInfo(CgroupFs).EnumerateDirectories()
            .Where(d => d.LinkTarget == null)
            .Select(d => d.FullName)
            .ToList();
    }

    /// <summary>All cgroup dirs under the root in every hierarchy, deepest first.</summary>
    public static IReadOnlyList<string> CgroupDirs(string cgroupRoot)
    {
        var dirs = new List<string>();
        foreach (var hierarchy in CgroupHierarchies())
        {
            var root = hierarchy + cgroupRoot;
            if (Directory.Exists(root))
            {
                dirs.Add(root);
                dirs.AddRange(Directory.EnumerateDirectories(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }));
            }
        }
        return dirs.OrderByDescending(d => d.Count(c => c == '/')).ToList();
    }

    /// <summary>Mount points in this (root) mount namespace at or under <paramref name="dir"/>.</summary>
    public static IReadOnlyList<string> MountsUnder(string dir)
    {
        return File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => UnescapeMountPath(line.Split(' ')[4]))
            .Where(point => point == dir || point.StartsWith(dir + "/", StringComparison.Ordinal))
            .ToList();
    }

    private static void StopProcesses(TestNodeName node, TimeSpan grace)
    {
        // SIGTERM first, so that the server and containerd can shut down the way they do in production.
        foreach (var pid in Processes(node))
        {
            kill(pid, SigTerm);
        }
        var deadline = DateTime.UtcNow + grace;
        while (Processes(node).Count > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }
        // Containers whose shim is gone are reparented to init: the cgroup scan above still finds them.
        var killDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        IReadOnlySet<int> left;
        while ((left = Processes(node)).Count > 0)
        {
            if (DateTime.UtcNow > killDeadline)
            {
                throw new InvalidOperationException("still running after SIGKILL: " + string.Join(", ", left));
            }
            foreach (var pid in left)
            {
                kill(pid, SigKill);
            }
            Thread.Sleep(100);
        }
    }

    private static void Unmount(string dir)
    {
        for (var round = 0; round < 5; round++)
        {
            var mounts = MountsUnder(dir);
            if (mounts.Count == 0)
            {
                return;
            }
            foreach (var point in mounts.OrderByDescending(p => p.Length))
            {
                umount2(point, MntDetach);
            }
        }
        var left = MountsUnder(dir);
        if (left.Count > 0)
        {
            throw new InvalidOperationException("still mounted: " + string.Join(", ", left));
        }
    }

    // rmdir only: a cgroup dir goes away once empty of processes and children; never delete files in it.
    private static void RemoveCgroups(string cgroupRoot)
    {
        for (var round = 0; ; round++)
        {
            var failed = new List<string>();
            foreach (var dir in CgroupDirs(cgroupRoot))
            {
                try
                {
                    Directory.Delete(dir, recursive: false);
                }
                catch (IOException e) when (Directory.Exists(dir))
                {
                    failed.Add($"{dir}: {e.Message}");
                }
            }
            if (failed.Count == 0)
            {
                return;
            }
            if (round == 50)
            {
                throw new InvalidOperationException(string.Join("; ", failed));
            }
            Thread.Sleep(100); // a process just killed may take a moment to leave its cgroup
        }
    }

    // libcni caches each pod's result as <network>-<container id>-<ifname>; the node's entries name
    // paths under the harness dir (netns under containerd's state dir, host-local's dataDir).
    private static void RemoveCniResults(string harnessDir)
    {
        if (!Directory.Exists(CniResultsDir))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(CniResultsDir))
        {
            try
            {
                if (File.ReadAllText(file).Contains(harnessDir + "/", StringComparison.Ordinal))
                {
                    File.Delete(file);
                }
            }
            catch (FileNotFoundException)
            {
                // Another node's containerd removed its own entry meanwhile.
            }
        }
    }

    // A shim killed by SIGKILL leaves its socket in /run/containerd/s; its task dir under the state
    // dir says which one ("address" file).
    private static void RemoveShimSockets(string harnessDir)
    {
        if (!Directory.Exists(harnessDir))
        {
            return;
        }
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var taskDir in Directory.EnumerateDirectories(harnessDir, "io.containerd.runtime.v2.task", options))
        {
            foreach (var address in Directory.EnumerateFiles(taskDir, "address", options))
            {
                var socket = File.ReadAllText(address).Trim();
                const string scheme = "unix://";
                if (socket.StartsWith(scheme + "/run/containerd/s/", StringComparison.Ordinal))
                {
                    File.Delete(socket[scheme.Length..]);
                }
            }
        }
    }

    private static void DeleteNetns(TestNodeName node)
    {
        if (File.Exists(node.NetnsPath))
        {
            HostCommand.Ok("ip", "netns", "del", node.NetnsName);
        }
    }

    private static void DeleteHarnessDir(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }
        // Directory.Delete would descend into a mounted directory: the unmount step must have succeeded.
        if (MountsUnder(dir).Count > 0)
        {
            throw new InvalidOperationException($"not deleting {dir}: something is still mounted under it");
        }
        Directory.Delete(dir, recursive: true);
    }

    private static void Attempt(List<string> problems, string what, Action step)
    {
        try
        {
            step();
        }
        catch (Exception e)
        {
            problems.Add($"{what}: {e.Message}");
        }
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string UnescapeMountPath(string path) =>
        path.Contains('\\')
            ? System.Text.RegularExpressions.Regex.Replace(path, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString())
            : path;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    private static extern int umount2([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int flags);
}
