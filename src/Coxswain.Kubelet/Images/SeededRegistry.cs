using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Images;

/// <summary>What a node needs before its first pull, in one call: the local registry, the seed images in it, the mirrors.</summary>
public static class SeededRegistry
{
    /// <summary>Where images live under a cox data dir: registry storage, seed archives, buildah's storage.</summary>
    public static string ImagesDir(string coxDataDir) => Path.Combine(coxDataDir, "images");

    /// <summary>The seed images' OCI archives (pause.oci.tar, busybox.oci.tar), for `ctr -n k8s.io images import`.</summary>
    public static string SeedArchiveDir(string coxDataDir) => Path.Combine(ImagesDir(coxDataDir), "seed");

    /// <summary>host:port of the registry a `cox server` with this data dir runs, or null when it runs none.</summary>
    public static string? AddressIn(string coxDataDir) => LocalRegistry.RecordedAddress(Path.Combine(ImagesDir(coxDataDir), "registry"));

    /// <summary>
    /// Starts the registry under &lt;coxDataDir&gt;/images/registry on 127.0.0.1:<paramref name="port"/> (0: any free
    /// port), seeds pause and busybox (their OCI archives go to <see cref="SeedArchiveDir"/>), and, with
    /// <paramref name="hostsDir"/> (containerd's registry.config_path), writes the docker.io and registry.k8s.io
    /// mirrors. Dispose the result to stop the registry.
    /// </summary>
    public static async Task<LocalRegistry> StartAsync(string coxDataDir, int port, string? hostsDir, ILogger logger, CancellationToken ct = default)
    {
        var registry = await LocalRegistry.StartAsync(Path.Combine(ImagesDir(coxDataDir), "registry"), port, logger, ct: ct);
        try
        {
            await SeedImages.EnsureAsync(registry.Address, PauseBinary.Path, archiveDir: SeedArchiveDir(coxDataDir), logger: logger, ct: ct);
            if (hostsDir != null)
            {
                RegistryHosts.Write(hostsDir, registry.Address);
            }
            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }
}
