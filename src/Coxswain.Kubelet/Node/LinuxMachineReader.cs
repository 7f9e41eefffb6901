using System.Globalization;
using System.Runtime.InteropServices;
using Coxswain.Kubelet.Runtime;

namespace Coxswain.Kubelet.Node;

/// <summary>Reads machine facts from /proc, /sys, /etc and statfs, the files cAdvisor and the kubelet read.</summary>
public sealed class LinuxMachineReader(string dataDir) : IMachineReader
{
    public MachineFacts Read()
    {
        var meminfo = MemInfo(ReadOrEmpty("/proc/meminfo"));
        var total = meminfo.GetValueOrDefault("MemTotal");
        return new MachineFacts
        {
            Cpus = Environment.ProcessorCount,
            MemoryBytes = total,
            MemoryAvailableBytes = MemoryAvailable(total, meminfo),
            Filesystem = Statfs(dataDir),
            PidsAvailable = PidsAvailable(ReadOrEmpty("/proc/sys/kernel/pid_max"), ReadOrEmpty("/proc/loadavg")),
            MachineId = ReadOrEmpty("/etc/machine-id").Trim(),
            SystemUuid = ReadOrEmpty("/sys/class/dmi/id/product_uuid").Trim(),
            BootId = ReadOrEmpty("/proc/sys/kernel/random/boot_id").Trim(),
            KernelVersion = ReadOrEmpty("/proc/sys/kernel/osrelease").Trim(),
            OsImage = PrettyName(ReadOrEmpty("/etc/os-release")),
            Hostname = Environment.MachineName.ToLowerInvariant(),
            DefaultIPv4 = NodeAddresses.DefaultInternalIp(),
            Architecture = RuntimeInformation.OSArchitecture switch
            {
                Architecture.X64 => "amd64",
                Architecture.Arm64 => "arm64",
                Architecture.Arm => "arm",
                var other => other.ToString().ToLowerInvariant(),
            },
        };
    }

    /// <summary>/proc/meminfo as bytes per key ("MemTotal:  16384 kB").</summary>
    internal static Dictionary<string, long> MemInfo(string text)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(':', 2);
            if (parts.Length != 2)
            {
                continue;
            }
            var fields = parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                values[parts[0].Trim()] = fields.Length > 1 && fields[1] == "kB" ? n * 1024 : n;
            }
        }
        return values;
    }

    /// <summary>
    /// The eviction manager's memory.available is capacity minus the root memory cgroup's working set (usage minus
    /// inactive file pages), not MemAvailable; fall back to MemAvailable where the cgroup files are not readable.
    /// </summary>
    private static long? MemoryAvailable(long total, Dictionary<string, long> meminfo)
    {
        var usage = ReadOrEmpty("/sys/fs/cgroup/memory/memory.usage_in_bytes").Trim();
        var stat = MemInfo(ReadOrEmpty("/sys/fs/cgroup/memory/memory.stat").Replace(' ', ':'));
        if (total > 0 && long.TryParse(usage, CultureInfo.InvariantCulture, out var used) && stat.TryGetValue("total_inactive_file", out var inactive))
        {
            return total - Math.Max(0, used - inactive);
        }
        return meminfo.TryGetValue("MemAvailable", out var available) ? available : null;
    }

    /// <summary>pid_max minus the number of tasks (the denominator of /proc/loadavg's fourth field, "1/234").</summary>
    internal static long? PidsAvailable(string pidMax, string loadavg)
    {
        var fields = loadavg.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!long.TryParse(pidMax.Trim(), CultureInfo.InvariantCulture, out var max) || fields.Length < 4)
        {
            return null;
        }
        var tasks = fields[3].Split('/');
        return tasks.Length == 2 && long.TryParse(tasks[1], CultureInfo.InvariantCulture, out var n) ? max - n : null;
    }

    /// <summary>PRETTY_NAME of os-release, unquoted, as the kubelet reports osImage.</summary>
    internal static string PrettyName(string osRelease)
    {
        foreach (var line in osRelease.Split('\n'))
        {
            if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            {
                return line["PRETTY_NAME=".Length..].Trim().Trim('"', '\'');
            }
        }
        return "Linux";
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public static FilesystemStats Statfs(string path)
    {
        Directory.CreateDirectory(path);
        if (statvfs(path, out var s) != 0)
        {
            return new FilesystemStats(0, 0, 0, 0);
        }
        return new FilesystemStats((long)(s.Blocks * s.FragmentSize), (long)(s.BlocksAvailable * s.FragmentSize), (long)s.Files, (long)s.FilesFree);
    }

    // glibc's struct statvfs on 64-bit Linux: eleven unsigned longs, then six ints of padding.
    [StructLayout(LayoutKind.Sequential)]
    private struct StatVfs
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public ulong FilesAvailable;
        public ulong FsId;
        public ulong Flags;
        public ulong NameMax;
        public int Spare0, Spare1, Spare2, Spare3, Spare4, Spare5;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statvfs([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out StatVfs buf);
}
