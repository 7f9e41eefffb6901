using System.Net.Sockets;
using Coxswain.Kubelet.Volumes;

namespace Coxswain.Kubelet.Tests.Volumes;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PodVolumesTests
{
    [Fact]
    public async Task EmptyDirIsAWorldWritableDirectoryUnderThePluginDir()
    {
        await using var f = new VolumeFixture();
        var pod = VolumeFixture.Pod("  - {name: scratch, emptyDir: {}}");
        var dir = await f.SetupAsync(pod, "scratch");

        Assert.Equal(Path.Combine(f.Root, "pods", "uid-1", "volumes", "kubernetes.io~empty-dir", "scratch"), dir);
        Assert.Equal((UnixFileMode)0x1ff, File.GetUnixFileMode(dir));
        Assert.Equal("", VolumeFixture.MountOptions(dir));
    }

    [Fact]
    public async Task MemoryEmptyDirIsATmpfsOfTheSizeLimitUntilTeardown()
    {
        await using var f = new VolumeFixture();
        var pod = VolumeFixture.Pod("  - {name: fast, emptyDir: {medium: Memory, sizeLimit: 16Mi}}");
        var dir = await f.SetupAsync(pod, "fast");
        Assert.Empty(await f.Volumes.SetupAsync(pod, CancellationToken.None)); // again: no second mount

        Assert.Single(Tmpfs.MountPointsUnder(dir));
        Assert.StartsWith("tmpfs ", VolumeFixture.MountOptions(dir), StringComparison.Ordinal);
        Assert.Contains("size=16384k", VolumeFixture.MountOptions(dir), StringComparison.Ordinal);

        await f.Volumes.TeardownAsync("uid-1");
        Assert.Empty(Tmpfs.MountPointsUnder(f.Root));
        Assert.False(Directory.Exists(Path.Combine(f.Root, "pods", "uid-1")));
    }

    [Fact]
    public async Task MemoryEmptyDirWithoutSizeLimitIsSizedByThePodsMemoryLimit()
    {
        await using var f = new VolumeFixture();
        var dir = await f.SetupAsync(VolumeFixture.Pod("  - {name: fast, emptyDir: {medium: Memory}}"), "fast");
        Assert.Contains("size=65536k", VolumeFixture.MountOptions(dir), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostPathCreatesWhatOrCreateTypesAsk()
    {
        await using var f = new VolumeFixture();
        var newDir = Path.Combine(f.Root, "host", "made");
        var newFile = Path.Combine(f.Root, "file.txt");
        Directory.CreateDirectory(Path.Combine(f.Root, "host"));
        var pod = VolumeFixture.Pod($$"""
              - name: d
                hostPath: {path: {{newDir}}, type: DirectoryOrCreate}
              - name: f
                hostPath: {path: {{newFile}}, type: FileOrCreate}
              - name: n
                hostPath: {path: /dev/null, type: CharDevice}
              - name: any
                hostPath: {path: {{f.Root}}/not-there}
            """);
        Assert.Equal(newDir, await f.SetupAsync(pod, "d"));
        Assert.True(Directory.Exists(newDir));
        Assert.True(File.Exists(newFile));
        Assert.Equal((UnixFileMode)0x1a4, File.GetUnixFileMode(newFile));
    }

    [Theory]
    [InlineData("Directory", "file", "is not a directory")]
    [InlineData("Directory", "missing", "is not a directory")]
    [InlineData("File", "dir", "is not a file")]
    [InlineData("FileOrCreate", "dir", "is not a file")]
    [InlineData("DirectoryOrCreate", "file", "is not a directory")]
    [InlineData("Socket", "file", "is not a socket file")]
    [InlineData("CharDevice", "file", "is not a character device")]
    [InlineData("BlockDevice", "/dev/null", "is not a block device")]
    public async Task HostPathTypeMismatchFailsWithUpstreamsMessage(string type, string what, string message)
    {
        await using var f = new VolumeFixture();
        var path = what.StartsWith('/') ? what : Path.Combine(f.Root, what);
        if (what == "file")
        {
            File.WriteAllText(path, "x");
        }
        else if (what == "dir")
        {
            Directory.CreateDirectory(path);
        }
        var pod = VolumeFixture.Pod($"  - name: h\n    hostPath: {{path: {path}, type: {type}}}");

        var failure = Assert.Single(await f.Volumes.SetupAsync(pod, CancellationToken.None));
        Assert.Equal($"hostPath type check failed: {path} {message}", failure.Message);
        Assert.Equal($"MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: {path} {message}", failure.EventMessage);
    }

    [Fact]
    public async Task HostPathSocketTypeAcceptsAUnixSocket()
    {
        await using var f = new VolumeFixture();
        var path = Path.Combine(f.Root, "app.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        var pod = VolumeFixture.Pod($"  - name: s\n    hostPath: {{path: {path}, type: Socket}}");
        Assert.Empty(await f.Volumes.SetupAsync(pod, CancellationToken.None));
    }

    [Fact]
    public async Task UnsupportedVolumeTypeIsAFailureNotACrash()
    {
        await using var f = new VolumeFixture();
        var pod = VolumeFixture.Pod("  - {name: data, persistentVolumeClaim: {claimName: c}}");
        Assert.Equal("data", Assert.Single(await f.Volumes.SetupAsync(pod, CancellationToken.None)).Volume);
    }

    [Fact]
    public async Task TeardownRemovesThePodDirectoryAndIsIdempotent()
    {
        await using var f = new VolumeFixture();
        f.Objects.Secret("shop", "s", new() { ["k"] = "v" });
        var pod = VolumeFixture.Pod("""
              - {name: scratch, emptyDir: {}}
              - {name: sec, secret: {secretName: s}}
            """);
        var secretDir = await f.SetupAsync(pod, "sec");
        File.WriteAllText(Path.Combine(await f.SetupAsync(pod, "scratch"), "data"), "x");
        Assert.Single(Tmpfs.MountPointsUnder(secretDir));

        await f.Volumes.TeardownAsync("uid-1");
        await f.Volumes.TeardownAsync("uid-1");

        Assert.False(Directory.Exists(f.Volumes.PodDir("uid-1")));
        Assert.Empty(Tmpfs.MountPointsUnder(f.Root));
    }
}
