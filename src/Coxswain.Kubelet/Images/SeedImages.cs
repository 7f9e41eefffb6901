using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Images;

/// <summary>An image the node needs before any user image: its normalised name and content.</summary>
public sealed record SeedImage(string Name, OciImage Image)
{
    public ImageReference Reference => ImageReference.Parse(Name);

    /// <summary>File name of its OCI archive in the seed directory (pause.oci.tar, busybox.oci.tar).</summary>
    public string ArchiveFileName => Reference.Path.Split('/')[^1] + ".oci.tar";
}

/// <summary>
/// The sandbox (pause) image and a busybox image, built without Docker or network from the pause binary and
/// Debian's busybox-static, and pushed into the local registry under the names the mirrors serve.
/// </summary>
public static class SeedImages
{
    /// <summary>The sandbox image upstream's kubelet 1.32 defaults to; containerd's sandbox_image should name it.</summary>
    public const string PauseImageName = "registry.k8s.io/pause:3.10";
    public const string BusyboxImageName = "docker.io/library/busybox:latest";
    public const string DefaultBusyboxPath = "/bin/busybox";

    public static SeedImage Pause(string pausePath) => new(PauseImageName, OciImage.Build(
        [LayerEntry.HostFile("pause", pausePath)],
        new ImageConfig { Entrypoint = ["/pause"] }));

    /// <param name="applets">Names from `busybox --list`: each becomes bin/NAME -> busybox.</param>
    public static SeedImage Busybox(string busyboxPath, IEnumerable<string> applets)
    {
        List<LayerEntry> entries =
        [
            LayerEntry.HostFile("bin/busybox", busyboxPath),
            LayerEntry.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"),
            LayerEntry.File("etc/group", "root:x:0:\nnogroup:x:65534:\n"),
            LayerEntry.Directory("root", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute),
            LayerEntry.Directory("tmp", LayerEntry.Modes.StickyWorldWritable),
            LayerEntry.Directory("home"),
            LayerEntry.Directory("var"),
        ];
        entries.AddRange(applets.Where(a => a != "busybox").Distinct().Select(a => LayerEntry.Symlink("bin/" + a, "busybox")));
        return new(BusyboxImageName, OciImage.Build(entries, new ImageConfig { Env = [ImageConfig.DefaultPath], Cmd = ["sh"] }));
    }

    /// <summary>The applet names the binary was built with (`busybox --list`).</summary>
    public static async Task<IReadOnlyList<string>> BusyboxAppletsAsync(string busyboxPath, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(busyboxPath, "--list") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot run {busyboxPath}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{busyboxPath} --list exited {process.ExitCode}: {await errors}");
        }
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static async Task<IReadOnlyList<SeedImage>> BuildAsync(string pausePath, string busyboxPath = DefaultBusyboxPath, CancellationToken ct = default)
    {
        if (!File.Exists(pausePath))
        {
            throw new FileNotFoundException($"pause binary not found at {pausePath} (it is built with cox; gcc and libc6-dev are needed)", pausePath);
        }
        if (!File.Exists(busyboxPath))
        {
            throw new FileNotFoundException($"busybox not found at {busyboxPath}: install Debian's busybox-static", busyboxPath);
        }
        return [Pause(pausePath), Busybox(busyboxPath, await BusyboxAppletsAsync(busyboxPath, ct))];
    }

    /// <summary>
    /// Makes sure <paramref name="registry"/> (host:port) serves both seed images, pushing only what differs.
    /// With <paramref name="archiveDir"/>, also writes each image as an OCI archive there (for `ctr images import`).
    /// </summary>
    public static async Task<IReadOnlyList<SeedImage>> EnsureAsync(
        string registry, string pausePath, string busyboxPath = DefaultBusyboxPath, string? archiveDir = null, ILogger? logger = null, CancellationToken ct = default)
    {
        var seeds = await BuildAsync(pausePath, busyboxPath, ct);
        using var client = new RegistryClient(HostPort(registry));
        foreach (var seed in seeds)
        {
            var reference = seed.Reference;
            var existing = await client.GetManifestAsync(reference.Path, reference.Reference, ct);
            if (existing?.Digest == seed.Image.Manifest.Digest)
            {
                logger?.LogDebug("Seed image {Image} already in {Registry}", seed.Name, client.Registry);
            }
            else
            {
                await client.PushImageAsync(reference.Path, reference.Reference, seed.Image, ct);
                logger?.LogInformation("Seeded {Image} ({Digest}) into {Registry}", seed.Name, seed.Image.Manifest.Digest, client.Registry);
            }
            if (archiveDir != null)
            {
                seed.Image.WriteArchive(Path.Combine(archiveDir, seed.ArchiveFileName), seed.Name);
            }
        }
        return seeds;
    }

    /// <summary>Accepts "127.0.0.1:5000" or "http://127.0.0.1:5000/".</summary>
    internal static string HostPort(string registry) =>
        Uri.TryCreate(registry, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.Authority : registry.TrimEnd('/');
}
