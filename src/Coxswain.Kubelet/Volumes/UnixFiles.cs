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

    private static PlatformNotSupportedException NotUnix() => new("pod volumes need a Unix node");
}
