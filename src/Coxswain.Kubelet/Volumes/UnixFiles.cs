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

    private static PlatformNotSupportedException NotUnix() => new("pod volumes need a Unix node");
}
