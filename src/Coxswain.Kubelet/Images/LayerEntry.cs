namespace Coxswain.Kubelet.Images;

/// <summary>What a layer entry is: the subset of tar entry types an image layer needs.</summary>
public enum LayerEntryKind
{
    Directory,
    File,
    Symlink,
}

/// <summary>
/// One path in an image layer, owned by root (uid/gid 0). <see cref="Path"/> is relative to the image root,
/// without a leading slash ("bin/busybox"). File content is in memory or read from <see cref="SourcePath"/>.
/// </summary>
public sealed record LayerEntry(string Path, LayerEntryKind Kind, UnixFileMode Mode, byte[]? Content = null, string? SourcePath = null, string? LinkTarget = null)
{
    public static LayerEntry Directory(string path, UnixFileMode mode = Modes.Directory) => new(Normalize(path), LayerEntryKind.Directory, mode);

    public static LayerEntry File(string path, byte[] content, UnixFileMode mode = Modes.File) => new(Normalize(path), LayerEntryKind.File, mode, Content: content);

    public static LayerEntry File(string path, string text, UnixFileMode mode = Modes.File) => File(path, System.Text.Encoding.UTF8.GetBytes(text), mode);

    /// <summary>A file whose bytes are read from the host when the layer is written.</summary>
    public static LayerEntry HostFile(string path, string sourcePath, UnixFileMode mode = Modes.Executable) => new(Normalize(path), LayerEntryKind.File, mode, SourcePath: sourcePath);

    public static LayerEntry Symlink(string path, string target) => new(Normalize(path), LayerEntryKind.Symlink, Modes.Symlink, LinkTarget: target);

    /// <summary>The entry's bytes (files only).</summary>
    internal byte[] ReadContent() => Content ?? System.IO.File.ReadAllBytes(SourcePath ?? throw new InvalidOperationException($"{Path} has no content"));

    private static string Normalize(string path)
    {
        var trimmed = path.Replace('\\', '/').Trim('/');
        if (trimmed.Length == 0 || trimmed.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new ArgumentException($"not a clean relative path: '{path}'", nameof(path));
        }
        return trimmed;
    }

    /// <summary>The usual modes: 0755 directories and executables, 0644 files, 1777 for /tmp.</summary>
    public static class Modes
    {
        public const UnixFileMode Directory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        public const UnixFileMode Executable = Directory;
        public const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        public const UnixFileMode Symlink = Directory | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        public const UnixFileMode StickyWorldWritable = Symlink | UnixFileMode.StickyBit;
    }
}
