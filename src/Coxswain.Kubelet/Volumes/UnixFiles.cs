namespace Coxswain.Kubelet.Volumes;

/// <summary>Permission bits on files and directories; node volumes only exist on Linux.</summary>
internal static class UnixFiles
{
    public static void SetMode(string path, int mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotUnix();
        }
        File.SetUnixFileMode(path, (UnixFileMode)(mode & 0xfff));
    }

    public static int GetMode(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotUnix();
        }
        return (int)File.GetUnixFileMode(path);
    }

    /// <summary>Creates the directory (and parents) and gives the directory itself exactly <paramref name="mode"/>, whatever the umask.</summary>
    public static void CreateDirectory(string path, int mode)
    {
        Directory.CreateDirectory(path);
        SetMode(path, mode);
    }

    /// <summary>rename(2): atomically replaces <paramref name="to"/>, also when both are symlinks to directories (File.Move refuses those).</summary>
    public static void Rename(string from, string to)
    {
        if (NativeRename(from, to) != 0)
        {
            throw new IOException($"rename {from} to {to}: {System.Runtime.InteropServices.Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int NativeRename(string from, string to);

    /// <summary>stat(2) (following symlinks): the file type and permission bits, and the owning group; null when it does not exist.</summary>
    public static (uint Mode, uint Gid)? Stat(string path)
    {
        var buffer = new byte[256];
        if (NativeStat(path, buffer) != 0)
        {
            return null;
        }
        // struct stat on x86-64 has st_nlink (8 bytes) before st_mode; the generic layout (arm64) has it after.
        var x64 = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;
        return (BitConverter.ToUInt32(buffer, x64 ? 24 : 16), BitConverter.ToUInt32(buffer, x64 ? 32 : 28));
    }

    /// <summary>lchown(2) of the group only: symlinks themselves, never their targets.</summary>
    public static void SetGroup(string path, long gid)
    {
        if (NativeLchown(path, uint.MaxValue, (uint)gid) != 0)
        {
            throw new IOException($"lchown {path}: {System.Runtime.InteropServices.Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int NativeStat(string path, byte[] buffer);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    private static extern int NativeLchown(string path, uint uid, uint gid);

    private static PlatformNotSupportedException NotUnix() => new("pod volumes need a Unix node");
}
