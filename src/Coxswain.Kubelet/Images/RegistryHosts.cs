namespace Coxswain.Kubelet.Images;

/// <summary>
/// containerd's registry host configuration (the directory `registry.config_path` names): one
/// &lt;host&gt;/hosts.toml per mirrored registry sending pulls to the local registry over plain HTTP, so that
/// `image: busybox` and the sandbox image resolve offline. containerd re-reads these files on every pull.
/// </summary>
public static class RegistryHosts
{
    /// <summary>Docker Hub (short names like "busybox") and the registry of the sandbox image.</summary>
    public static readonly IReadOnlyList<string> DefaultMirroredHosts = [ImageReference.DockerHub, "registry.k8s.io"];

    /// <summary>Writes &lt;hostsDir&gt;/&lt;host&gt;/hosts.toml for each mirrored host; returns the files written.</summary>
    /// <param name="registry">host:port of the local registry, e.g. 127.0.0.1:5000.</param>
    public static IReadOnlyList<string> Write(string hostsDir, string registry, IEnumerable<string>? mirroredHosts = null)
    {
        var local = SeedImages.HostPort(registry);
        var written = new List<string>();
        foreach (var host in mirroredHosts ?? DefaultMirroredHosts)
        {
            var dir = Path.Combine(hostsDir, host);
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, "hosts.toml");
            // Written whole then renamed: a pull reading it meanwhile sees the old or the new file, never half.
            var temp = path + ".tmp";
            File.WriteAllText(temp, HostsToml(host, local));
            File.Move(temp, path, overwrite: true);
            written.Add(path);
        }
        return written;
    }

    /// <summary>The hosts.toml for one upstream <paramref name="host"/>: its real server, tried after the local mirror.</summary>
    public static string HostsToml(string host, string localRegistry) =>
        $"""
        server = "{UpstreamServer(host)}"

        [host."http://{localRegistry}"]
          capabilities = ["pull", "resolve"]

        """;

    // Docker Hub's API is not served at docker.io itself (containerd's own default for that host).
    private static string UpstreamServer(string host) => host == ImageReference.DockerHub ? "https://registry-1.docker.io" : $"https://{host}";
}
