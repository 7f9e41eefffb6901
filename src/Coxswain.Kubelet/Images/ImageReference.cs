namespace Coxswain.Kubelet.Images;

/// <summary>
/// An image name normalised as upstream does (distribution's ParseNormalizedNamed, which containerd and the
/// kubelet use): "busybox" is docker.io/library/busybox, "me/app" is docker.io/me/app, a first component with a
/// '.' or ':' or "localhost" is a registry host, and a name with neither tag nor digest means tag "latest".
/// </summary>
public sealed record ImageReference(string Domain, string Path, string? Tag, string? Digest)
{
    public const string DockerHub = "docker.io";

    public static ImageReference Parse(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
        {
            throw new FormatException($"invalid image name '{name}'");
        }
        string? digest = null;
        var at = name.IndexOf('@');
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
        }
        string? tag = null;
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
        }
        var slash = name.IndexOf('/');
        string domain, path;
        if (slash > 0 && IsDomain(name[..slash]))
        {
            domain = name[..slash];
            path = name[(slash + 1)..];
        }
        else
        {
            domain = DockerHub;
            path = name;
        }
        if (domain == "index.docker.io")
        {
            domain = DockerHub;
        }
        if (domain == DockerHub && !path.Contains('/'))
        {
            path = "library/" + path;
        }
        if (path.Length == 0 || path != path.ToLowerInvariant() || path.Split('/').Any(p => p.Length == 0)
            || tag is "" || digest is "" || (digest != null && !digest.Contains(':')))
        {
            throw new FormatException($"invalid image name '{name}': repository names are lowercase, tags follow ':' and digests '@'");
        }
        return new ImageReference(domain, path, tag ?? (digest == null ? "latest" : null), digest);
    }

    /// <summary>The normalised name without tag or digest, e.g. "docker.io/library/busybox".</summary>
    public string Repository => $"{Domain}/{Path}";

    /// <summary>What follows the repository in a registry URL: the tag, else the digest.</summary>
    public string Reference => Tag ?? Digest!;

    /// <summary>The full normalised name, e.g. "docker.io/library/busybox:latest".</summary>
    public override string ToString() => Repository + (Tag != null ? ":" + Tag : "") + (Digest != null ? "@" + Digest : "");

    private static bool IsDomain(string component) =>
        component.Contains('.') || component.Contains(':') || component == "localhost" || component != component.ToLowerInvariant();
}
