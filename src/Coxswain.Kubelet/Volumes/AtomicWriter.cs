using System.Globalization;

namespace Coxswain.Kubelet.Volumes;

/// <summary>One file of a volume's payload: its bytes and permission bits (e.g. 0644 = 420).</summary>
public sealed record FileProjection(byte[] Data, int Mode);

/// <summary>
/// Writes a volume's files so that a running container never sees half an update (upstream's AtomicWriter). The
/// files live in a timestamped directory <c>..2006_01_02_15_04_05.N</c>; <c>..data</c> is a symlink to it; every
/// user-visible top-level name is a symlink through <c>..data</c>. An update writes a new timestamped directory and
/// swaps <c>..data</c> with one rename, then drops names that went away and the old directory.
/// </summary>
internal static class AtomicWriter
{
    public const string DataDirName = "..data";
    private const string NewDataDirName = "..data_tmp";

    /// <summary>
    /// Makes <paramref name="targetDir"/> hold exactly <paramref name="payload"/>; false when it already did.
    /// <paramref name="beforeSwap"/> runs once the new files are written, before containers can see them.
    /// </summary>
    public static bool Write(string targetDir, IReadOnlyDictionary<string, FileProjection> payload, Action? beforeSwap = null)
    {
        var clean = Validate(payload);
        Directory.CreateDirectory(targetDir);
        var dataDir = Path.Combine(targetDir, DataDirName);
        var oldTsName = File.Exists(dataDir) || Directory.Exists(dataDir) ? new FileInfo(dataDir).LinkTarget : null;
        var oldTsDir = oldTsName is null ? null : Path.Combine(targetDir, oldTsName);

        var oldPaths = oldTsDir is not null && Directory.Exists(oldTsDir) ? PathsUnder(oldTsDir) : [];
        var newPaths = WithParents(clean.Keys);
        var pathsToRemove = oldPaths.Where(p => !newPaths.Contains(p)).ToList();
        if (oldTsDir is not null && pathsToRemove.Count == 0 && !Differs(oldTsDir, clean))
        {
            return false;
        }

        var tsDir = NewTimestampedDir(targetDir);
        foreach (var (path, file) in clean)
        {
            var full = Path.Combine(tsDir, path);
            var parent = Path.GetDirectoryName(full)!;
            if (!Directory.Exists(parent))
            {
                UnixFiles.CreateDirectory(parent, 0x1ed); // 0755
            }
            File.WriteAllBytes(full, file.Data);
            UnixFiles.SetMode(full, file.Mode & 0x1ff);
        }

        beforeSwap?.Invoke();

        // The swap: a new symlink renamed over the old one is atomic, so readers see the old or the new set.
        var newDataDir = Path.Combine(targetDir, NewDataDirName);
        File.Delete(newDataDir);
        File.CreateSymbolicLink(newDataDir, Path.GetFileName(tsDir));
        UnixFiles.Rename(newDataDir, dataDir);

        foreach (var top in clean.Keys.Select(TopLevel).Distinct())
        {
            var visible = Path.Combine(targetDir, top);
            if (new FileInfo(visible).LinkTarget is null)
            {
                File.CreateSymbolicLink(visible, Path.Combine(DataDirName, top));
            }
        }
        foreach (var removed in pathsToRemove.Where(p => !p.Contains('/', StringComparison.Ordinal)))
        {
            File.Delete(Path.Combine(targetDir, removed));
        }
        if (oldTsDir is not null && Directory.Exists(oldTsDir))
        {
            Directory.Delete(oldTsDir, recursive: true);
        }
        return true;
    }

    /// <summary>Upstream's payload path rules: relative, no '..' element, not starting with '..'.</summary>
    public static Dictionary<string, FileProjection> Validate(IReadOnlyDictionary<string, FileProjection> payload)
    {
        var clean = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        foreach (var (path, file) in payload)
        {
            if (path.Length == 0)
            {
                throw new ArgumentException("invalid path: must not be empty");
            }
            if (path.StartsWith('/'))
            {
                throw new ArgumentException($"invalid path: must be relative path: {path}");
            }
            if (path.Split('/').Contains(".."))
            {
                throw new ArgumentException($"invalid path: must not contain '..': {path}");
            }
            if (path.StartsWith("..", StringComparison.Ordinal))
            {
                throw new ArgumentException($"invalid path: must not start with '..': {path}");
            }
            clean[string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "."))] = file;
        }
        return clean;
    }

    private static bool Differs(string tsDir, Dictionary<string, FileProjection> payload)
    {
        foreach (var (path, file) in payload)
        {
            var full = Path.Combine(tsDir, path);
            if (!File.Exists(full) || UnixFiles.GetMode(full) != (file.Mode & 0x1ff) || !File.ReadAllBytes(full).AsSpan().SequenceEqual(file.Data))
            {
                return true;
            }
        }
        return false;
    }

    private static HashSet<string> PathsUnder(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(dir, p))
            .ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> WithParents(IEnumerable<string> paths)
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            for (var p = path; !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
            {
                all.Add(p);
            }
        }
        return all;
    }

    private static string TopLevel(string path) => path.Split('/')[0];

    private static string NewTimestampedDir(string targetDir)
    {
        var prefix = DateTime.UtcNow.ToString("..yyyy_MM_dd_HH_mm_ss.", CultureInfo.InvariantCulture);
        while (true)
        {
            var dir = Path.Combine(targetDir, prefix + Random.Shared.Next().ToString(CultureInfo.InvariantCulture));
            if (!Path.Exists(dir))
            {
                UnixFiles.CreateDirectory(dir, 0x1ed); // 0755
                return dir;
            }
        }
    }
}
