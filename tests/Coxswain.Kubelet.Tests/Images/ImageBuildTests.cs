using System.Formats.Tar;
using System.Text.Json;
using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Kubelet.Images;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Kubelet.Tests.Images;

/// <summary>A seeded local registry shared by the `cox image build` tests, as `cox server` would run it for <see cref="CoxDataDir"/>.</summary>
public sealed class SeededRegistryFixture : IAsyncLifetime
{
    public string Dir { get; } = ImageTools.TempDir("cox-imagebuild-");
    public string CoxDataDir => Path.Combine(Dir, "cox");
    public LocalRegistry Registry { get; private set; } = null!;

    public async Task InitializeAsync() => Registry = await SeededRegistry.StartAsync(CoxDataDir, port: 0, hostsDir: null, NullLogger.Instance);

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}

/// <summary>The real `cox image build` (buildah underneath) against a real local registry.</summary>
public sealed class ImageBuildTests(SeededRegistryFixture fixture) : IClassFixture<SeededRegistryFixture>
{
    private string DataDir => fixture.CoxDataDir;

    [Fact]
    public async Task BuildsAContainerfileAndPushesItUnderTheNormalisedName()
    {
        var context = Context("app", "Containerfile", """
            FROM busybox
            COPY hello.txt /app/hello.txt
            RUN echo built > /app/built.txt
            ENV GREETING=hi
            WORKDIR /app
            EXPOSE 8080
            ENTRYPOINT ["/bin/sh", "-c"]
            CMD ["cat /app/hello.txt"]
            """);
        await File.WriteAllTextAsync(Path.Combine(context, "hello.txt"), "hello from the context\n");

        var (code, stdout, stderr) = await CoxAsync("image", "build", "-t", "myapp:1", context);

        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("STEP 3/8: RUN echo built > /app/built.txt", stdout);
        Assert.Contains("Pushed docker.io/library/myapp:1 sha256:", stdout);
        Assert.Contains("`image: myapp:1`", stdout);
        using var config = JsonDocument.Parse(await ImageTools.SkopeoInspectAsync(fixture.Registry.Address, "library/myapp", "1", config: true));
        var runtime = config.RootElement.GetProperty("config");
        Assert.Contains("GREETING=hi", runtime.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/app", runtime.GetProperty("WorkingDir").GetString());
        Assert.Equal(["/bin/sh", "-c"], runtime.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(["cat /app/hello.txt"], runtime.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()!));
        Assert.True(runtime.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));

        var files = await FilesOfImageAsync("library/myapp", "1");
        Assert.Equal("hello from the context\n", files["app/hello.txt"]);
        Assert.Equal("built\n", files["app/built.txt"]);
        Assert.True(files.ContainsKey("bin/busybox"), "the busybox base layer is part of the image");
        Assert.Empty(await BuildahContainersAsync());
    }

    [Fact]
    public async Task AFailingRunStepExitsNonZeroWithBuildahsMessageAndLeavesNoContainer()
    {
        var context = Context("failing", "Dockerfile", "FROM busybox\nRUN echo about to fail && exit 3\n");

        var (code, stdout, stderr) = await CoxAsync("image", "build", "-t", "failing:1", context);

        Assert.Equal(1, code);
        Assert.Contains("about to fail", stdout + stderr);
        Assert.Contains("building at STEP \"RUN echo about to fail && exit 3\"", stderr);
        Assert.Contains("error: building docker.io/library/failing:1 failed", stderr);
        using var client = new RegistryClient(fixture.Registry.Address);
        Assert.Null(await client.GetManifestAsync("library/failing", "1"));
        Assert.Empty(await BuildahContainersAsync());
    }

    [Fact]
    public async Task AnExplicitFileAndANamespacedNameWork()
    {
        var context = Context("explicit", "build.containerfile", "FROM docker.io/library/busybox:latest\nCMD [\"true\"]\n");

        var (code, stdout, stderr) = await CoxAsync("image", "build", "-t", "team/tool", "-f", Path.Combine(context, "build.containerfile"), context);

        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("`image: team/tool:latest`", stdout);
        await ImageTools.SkopeoInspectAsync(fixture.Registry.Address, "team/tool", "latest");
    }

    [Fact]
    public async Task AMissingContainerfileIsAClearError()
    {
        var context = ImageTools.TempDir("cox-empty-context-");
        try
        {
            var (code, _, stderr) = await CoxAsync("image", "build", "-t", "nothing", context);

            Assert.Equal(2, code);
            Assert.Contains("no Containerfile or Dockerfile in", stderr);
        }
        finally
        {
            Directory.Delete(context);
        }
    }

    [Fact]
    public async Task AnUnreachableRegistryIsAClearError()
    {
        var context = Context("unreachable", "Containerfile", "FROM busybox\n");

        var (code, _, stderr) = await CoxAsync("image", "build", "-t", "x", "--registry", $"127.0.0.1:{ImageTools.FreePort()}", context);

        Assert.Equal(1, code);
        Assert.Contains("is not reachable", stderr);
    }

    private string Context(string name, string fileName, string containerfile)
    {
        var dir = Path.Combine(fixture.Dir, "contexts", name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, fileName), containerfile);
        return dir;
    }

    /// <summary>Runs `cox` on the fixture's data dir: without --registry it finds the registry recorded there.</summary>
    private Task<(int ExitCode, string Stdout, string Stderr)> CoxAsync(params string[] args) =>
        ImageTools.RunAsync("dotnet", [CoxServer.CoxDll, .. args, "--data-dir", DataDir]);

    /// <summary>Regular files of every layer of a pushed image, path -> text (later layers win).</summary>
    private async Task<Dictionary<string, string>> FilesOfImageAsync(string repository, string tag)
    {
        using var client = new RegistryClient(fixture.Registry.Address);
        var manifest = await client.GetManifestAsync(repository, tag);
        Assert.NotNull(manifest);
        using var json = JsonDocument.Parse(manifest.Bytes);
        var files = new Dictionary<string, string>();
        foreach (var layer in json.RootElement.GetProperty("layers").EnumerateArray())
        {
            var bytes = await client.GetBlobAsync(repository, layer.GetProperty("digest").GetString()!);
            foreach (var entry in OciImageTests.ReadTar(OciImageTests.Gunzip(bytes)))
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    files[entry.Name.TrimStart('.', '/')] = System.Text.Encoding.UTF8.GetString(entry.Data);
                }
            }
        }
        return files;
    }

    private async Task<string[]> BuildahContainersAsync()
    {
        var root = Path.Combine(DataDir, "images", "buildah");
        var (code, stdout, stderr) = await ImageTools.RunAsync("buildah", "--root", Path.Combine(root, "storage"), "--runroot", Path.Combine(root, "run"),
            "--storage-driver", "vfs", "containers", "--quiet");
        Assert.True(code == 0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
