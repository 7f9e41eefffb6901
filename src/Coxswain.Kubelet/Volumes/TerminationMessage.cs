using System.Globalization;

namespace Coxswain.Kubelet.Volumes;

/// <summary>
/// The file a container writes its termination message to: a fresh, world-writable file per container start under
/// <c>&lt;podsDir&gt;/&lt;uid&gt;/containers/&lt;name&gt;/</c>, bind-mounted at terminationMessagePath.
/// </summary>
public static class TerminationMessage
{
    /// <summary>Upstream's default terminationMessagePath.</summary>
    public const string DefaultPath = "/dev/termination-log";

    /// <summary>At most this many bytes (the end of the file) become the message, as upstream.</summary>
    public const int MaxLength = 4096;

    internal static string Create(string podDir, string containerName)
    {
        var dir = Path.Combine(podDir, "containers", containerName);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, Random.Shared.Next().ToString("x8", CultureInfo.InvariantCulture));
        using (File.Create(path))
        {
        }
        UnixFiles.SetMode(path, 0x1b6); // 0666: the container may run as any user
        return path;
    }

    /// <summary>The message a terminated container left in <paramref name="hostPath"/> ("" when none).</summary>
    public static string Read(string hostPath)
    {
        if (!File.Exists(hostPath))
        {
            return "";
        }
        using var file = File.OpenRead(hostPath);
        if (file.Length > MaxLength)
        {
            file.Seek(-MaxLength, SeekOrigin.End);
        }
        using var reader = new StreamReader(file);
        return reader.ReadToEnd();
    }
}
