namespace Coxswain.Kubelet.Volumes;

/// <summary>hostPath type checks with upstream's messages; the *OrCreate types create a missing directory (0755) or file (0644).</summary>
internal static class HostPathTypes
{
    public static void Check(string path, string? type)
    {
        switch (type ?? "")
        {
            case "":
                return;
            case "DirectoryOrCreate" when !Path.Exists(path):
                UnixFiles.CreateDirectory(path, 0x1ed);
                return;
            case "DirectoryOrCreate" or "Directory":
                Require(Directory.Exists(path), path, "a directory");
                return;
            case "FileOrCreate" when !Path.Exists(path):
                using (File.Create(path))
                {
                }
                UnixFiles.SetMode(path, 0x1a4);
                return;
            case "FileOrCreate" or "File":
                Require(FileType(path) == 'f', path, "a file");
                return;
            case "Socket":
                Require(FileType(path) == 's', path, "a socket file");
                return;
            case "CharDevice":
                Require(FileType(path) == 'c', path, "a character device");
                return;
            case "BlockDevice":
                Require(FileType(path) == 'b', path, "a block device");
                return;
            default:
                throw new VolumeSetupException($"{type} is an invalid volume type");
        }
    }

    private static void Require(bool ok, string path, string what)
    {
        if (!ok)
        {
            throw new VolumeSetupException($"hostPath type check failed: {path} is not {what}");
        }
    }

    // 'f' regular file, 'd' directory, 's' socket, 'c'/'b' devices, '?' other or missing; symlinks are followed as stat(2) does.
    private static char FileType(string path) => (UnixFiles.Stat(path)?.Mode & 0xf000) switch
    {
        0x8000 => 'f',
        0x4000 => 'd',
        0xc000 => 's',
        0x2000 => 'c',
        0x6000 => 'b',
        _ => '?',
    };
}
