using Coxswain.Kubelet.Images;

namespace Coxswain.Kubelet.Tests.Images;

public sealed class SeededRegistryTests
{
    [Fact]
    public async Task StartsSeedsWritesArchivesAndMirrors()
    {
        var dir = ImageTools.TempDir("cox-seeded-");
        var hostsDir = Path.Combine(dir, "certs.d");
        try
        {
            await using (var registry = await SeededRegistry.StartAsync(dir, port: 0, hostsDir, new RecordingLogger()))
            {
                Assert.NotEqual(0, registry.Port);
                Assert.Equal(registry.Address, SeededRegistry.AddressIn(dir));
                await ImageTools.SkopeoInspectAsync(registry.Address, "library/busybox", "latest");
                await ImageTools.SkopeoInspectAsync(registry.Address, "pause", "3.10");
                Assert.True(File.Exists(Path.Combine(SeededRegistry.SeedArchiveDir(dir), "pause.oci.tar")));
                Assert.True(File.Exists(Path.Combine(SeededRegistry.SeedArchiveDir(dir), "busybox.oci.tar")));
                Assert.Contains($"[host.\"http://{registry.Address}\"]", File.ReadAllText(Path.Combine(hostsDir, "docker.io", "hosts.toml")));
                Assert.Contains($"[host.\"http://{registry.Address}\"]", File.ReadAllText(Path.Combine(hostsDir, "registry.k8s.io", "hosts.toml")));
            }
            Assert.Null(SeededRegistry.AddressIn(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
