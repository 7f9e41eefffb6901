namespace Coxswain.Kubelet.Volumes;

/// <summary>
/// spec.securityContext.fsGroup on a volume (upstream's SetVolumeOwnership): every file and directory gets the
/// group, group read (and write unless the volume is read-only), and directories get group search and setgid so new
/// files inherit the group. Symlinks are re-grouped but never chmod-ed (that would change their targets).
/// </summary>
internal static class FsGroupOwnership
{
    private const int ReadWrite = 0x1b0; // 0660
    private const int ReadOnly = 0x120;  // 0440
    private const int Search = 0x48;     // 0110
    private const int SetGid = 0x400;    // 02000

    public static void Apply(string dir, long? fsGroup, bool readOnly)
    {
        if (fsGroup is not { } gid)
        {
            return;
        }
        Change(new DirectoryInfo(dir), gid, readOnly ? ReadOnly : ReadWrite);
    }

    private static void Change(FileSystemInfo entry, long gid, int mask)
    {
        UnixFiles.SetGroup(entry.FullName, gid);
        if (entry.LinkTarget is not null)
        {
            return;
        }
        if (entry is DirectoryInfo directory)
        {
            UnixFiles.SetMode(directory.FullName, UnixFiles.GetMode(directory.FullName) | mask | Search | SetGid);
            foreach (var child in directory.EnumerateFileSystemInfos())
            {
                Change(child, gid, mask);
            }
        }
        else
        {
            UnixFiles.SetMode(entry.FullName, UnixFiles.GetMode(entry.FullName) | mask);
        }
    }
}
