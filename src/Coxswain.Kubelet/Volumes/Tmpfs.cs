using System.Runtime.InteropServices;

namespace Coxswain.Kubelet.Volumes;

/// <summary>tmpfs mounts for memory-backed volumes (emptyDir medium Memory, secret and projected volumes), through mount(2).</summary>
internal static class Tmpfs
{
    private const int MntDetach = 2;

    /// <summary>Mounts a tmpfs on <paramref name="dir"/>; a size of 0 leaves the kernel's default (half of RAM).</summary>
    public static void Mount(string dir, long sizeBytes)
    {
        var options = sizeBytes > 0 ? $"size={sizeBytes}" : null;
        if (NativeMount("tmpfs", dir, "tmpfs", 0, options) != 0)
        {
            throw new IOException($"mount tmpfs on {dir}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    /// <summary>Unmounts; a busy mount is detached lazily rather than left behind.</summary>
    public static void Unmount(string dir)
    {
        if (NativeUnmount(dir, 0) != 0 && NativeUnmount(dir, MntDetach) != 0)
        {
            throw new IOException($"unmount {dir}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    /// <summary>Mount points at or under <paramref name="root"/> (from /proc/self/mountinfo), deepest first.</summary>
    public static IReadOnlyList<string> MountPointsUnder(string root)
    {
        var prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        return File.ReadLines("/proc/self/mountinfo")
            .Select(line => Unescape(line.Split(' ')[4]))
            .Where(p => p == prefix || p.StartsWith(prefix + "/", StringComparison.Ordinal))
            .Distinct()
            .OrderByDescending(p => p.Length)
            .ToList();
    }

    public static bool IsMountPoint(string dir) => MountPointsUnder(dir).Contains(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }
        var result = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                result.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                result.Append(field[i]);
            }
        }
        return result.ToString();
    }

    [DllImport("libc", EntryPoint = "mount", SetLastError = true)]
    private static extern int NativeMount(string source, string target, string fstype, ulong flags, string? data);

    [DllImport("libc", EntryPoint = "umount2", SetLastError = true)]
    private static extern int NativeUnmount(string target, int flags);
}
