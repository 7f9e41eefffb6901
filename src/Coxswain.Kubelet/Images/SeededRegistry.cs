using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Images;

/// <summary>What a node needs before its first pull, in one call: the local registry, the seed images in it, the mirrors.</summary>
public static class SeededRegistry
{
    /// <summary>
    /// Starts the registry under &lt;dataDir&gt;/registry on 127.0.0.1:<paramref name="port"/>, seeds pause and busybox
    /// (their OCI archives also go to &lt;dataDir&gt;/seed), and, with <paramref name="hostsDir"/> (containerd's
    /// registry.config_path), writes the docker.io and registry.k8s.io mirrors. Dispose the result to stop the registry.
    /// </summary>
    public static async Task<LocalRegistry> StartAsync(string dataDir, int port, string? hostsDir, ILogger logger, CancellationToken ct = default)
    {
        var registry = await LocalRegistry.StartAsync(Path.Combine(dataDir, "registry"), port, logger, ct: ct);
        try
        {
            await SeedImages.EnsureAsync(registry.Address, PauseBinary.Path, archiveDir: Path.Combine(dataDir, "seed"), logger: logger, ct: ct);
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
