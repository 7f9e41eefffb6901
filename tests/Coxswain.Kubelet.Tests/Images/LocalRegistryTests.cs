using System.Diagnostics;
using System.Text.Json;
using Coxswain.Kubelet.Images;

namespace Coxswain.Kubelet.Tests.Images;

/// <summary>The real docker-registry as a child process on a free loopback port, seeded and read back with skopeo.</summary>
public sealed class LocalRegistryTests : IAsyncLifetime
{
    private readonly string _dir = ImageTools.TempDir("cox-registry-");
    private readonly RecordingLogger _logger = new();
    private LocalRegistry _registry = null!;

    public async Task InitializeAsync() => _registry = await LocalRegistry.StartAsync(_dir, ImageTools.FreePort(), _logger);

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task SeededImagesAreServedUnderTheirMirroredNames()
    {
        var archives = Path.Combine(_dir, "seed");
        var seeds = await SeedImages.EnsureAsync(_registry.Address, PauseBinary.Path, archiveDir: archives, logger: _logger);

        using (var busybox = JsonDocument.Parse(await ImageTools.SkopeoInspectAsync(_registry.Address, "library/busybox", "latest")))
        {
            Assert.Equal(seeds[1].Image.Manifest.Digest, busybox.RootElement.GetProperty("Digest").GetString());
            Assert.Equal("amd64", busybox.RootElement.GetProperty("Architecture").GetString());
        }
        using (var pause = JsonDocument.Parse(await ImageTools.SkopeoInspectAsync(_registry.Address, "pause", "3.10", config: true)))
        {
            Assert.Equal("/pause", pause.RootElement.GetProperty("config").GetProperty("Entrypoint")[0].GetString());
        }
        Assert.True(File.Exists(Path.Combine(archives, "pause.oci.tar")));
        Assert.True(File.Exists(Path.Combine(archives, "busybox.oci.tar")));
        // The archive is a valid OCI image skopeo can read with the same manifest the registry serves.
        var (code, stdout, stderr) = await ImageTools.RunAsync("skopeo", "inspect", "oci-archive:" + Path.Combine(archives, "busybox.oci.tar"));
        Assert.True(code == 0, stderr);
        Assert.Contains(seeds[1].Image.Manifest.Digest, stdout);
    }

    [Fact]
    public async Task SeedingAgainPushesNothing()
    {
        await SeedImages.EnsureAsync(_registry.Address, PauseBinary.Path, logger: _logger);
        var pushed = _logger.Messages.Count(m => m.StartsWith("Seeded"));
        await SeedImages.EnsureAsync($"http://{_registry.Address}/", PauseBinary.Path, logger: _logger);

        Assert.Equal(2, pushed);
        Assert.Equal(2, _logger.Messages.Count(m => m.StartsWith("Seeded")));
    }

    [Fact]
    public async Task RegistryClientReadsBackWhatItPushed()
    {
        var image = OciImage.Build([LayerEntry.File("hello.txt", "hello\n")], new ImageConfig { Cmd = ["cat", "/hello.txt"] });
        using var client = new RegistryClient(_registry.Address);

        Assert.Null(await client.GetManifestAsync("test/hello", "v1"));
        Assert.False(await client.BlobExistsAsync("test/hello", image.Layer.Digest));
        await client.PushImageAsync("test/hello", "v1", image);

        Assert.True(await client.BlobExistsAsync("test/hello", image.Layer.Digest));
        Assert.Equal(image.Config.Bytes, await client.GetBlobAsync("test/hello", image.Config.Digest));
        var manifest = await client.GetManifestAsync("test/hello", "v1");
        Assert.NotNull(manifest);
        Assert.Equal(OciMediaTypes.Manifest, manifest.MediaType);
        Assert.Equal(image.Manifest.Digest, manifest.Digest);
    }

    [Fact]
    public async Task ARegistryThatDiesIsStartedAgain()
    {
        var first = _registry.ProcessId;
        Process.GetProcessById(first).Kill();

        using var client = new RegistryClient(_registry.Address);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (_registry.ProcessId == first || !await client.PingAsync(timeout.Token))
        {
            await Task.Delay(100, timeout.Token);
        }
        Assert.Equal(1, _registry.Restarts);
        Assert.Contains(_logger.Messages, m => m.Contains("Local registry exited"));
    }

    [Fact]
    public async Task DisposeStopsTheRegistry()
    {
        var dir = ImageTools.TempDir("cox-registry-");
        var port = ImageTools.FreePort();
        var registry = await LocalRegistry.StartAsync(dir, port, _logger);
        var pid = registry.ProcessId;

        await registry.DisposeAsync();

        using var client = new RegistryClient($"127.0.0.1:{port}");
        Assert.False(await client.PingAsync());
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task ARegistryLeftRunningByAKilledAgentIsReplaced()
    {
        // A second start on the same data dir stands for an agent restarted after kill -9: the old registry still runs.
        var old = _registry.ProcessId;
        await using var again = await LocalRegistry.StartAsync(_dir, _registry.Port, _logger);

        Assert.NotEqual(old, again.ProcessId);
        Assert.Contains(_logger.Messages, m => m == $"Stopping registry pid {old} left running by an earlier run");
        using var client = new RegistryClient(again.Address);
        Assert.True(await client.PingAsync());
    }

    [Fact]
    public async Task APortInUseIsAClearError()
    {
        var dir = ImageTools.TempDir("cox-registry-");
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalRegistry.StartAsync(dir, _registry.Port, _logger));
            Assert.Contains($"cannot run the registry on 127.0.0.1:{_registry.Port}", error.Message);
            Assert.Contains("already in use", error.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
