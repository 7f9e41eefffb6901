using Coxswain.Kubelet.Volumes;

namespace Coxswain.Kubelet.Tests.Volumes;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FsGroupTests
{
    private static (uint Mode, uint Gid) Stat(string path) => UnixFiles.Stat(path) ?? throw new FileNotFoundException(path);

    [Fact]
    public async Task FsGroupOwnsVolumesWithGroupAccessAndSetgidDirectories()
    {
        await using var f = new VolumeFixture();
        f.Objects.Secret("shop", "s", new() { ["key"] = "v1" });
        var pod = VolumeFixture.Pod("""
              - {name: scratch, emptyDir: {}}
              - name: sec
                secret: {secretName: s, defaultMode: 256}
            """);
        pod.Spec.SecurityContext = new k8s.Models.V1PodSecurityContext { FsGroup = 2345 };
        var scratch = await f.SetupAsync(pod, "scratch");
        var secret = await f.SetupAsync(pod, "sec");

        Assert.Equal(2345u, Stat(scratch).Gid);
        Assert.Equal(0x5ffu, Stat(scratch).Mode & 0xfff); // 02777: drwxrwsrwx
        Assert.Equal(2345u, Stat(Path.Combine(secret, "key")).Gid);
        Assert.Equal(0x120u, Stat(Path.Combine(secret, "key")).Mode & 0x1ff);  // 0400 + group read = 0440
        var tsDir = Path.Combine(secret, new FileInfo(Path.Combine(secret, "..data")).LinkTarget!);
        Assert.NotEqual(0u, Stat(tsDir).Mode & 0x400);                         // setgid

        var before = new FileInfo(Path.Combine(secret, "..data")).LinkTarget;
        Assert.Empty(await f.Volumes.UpdateAsync(pod, CancellationToken.None));
        Assert.Equal(before, new FileInfo(Path.Combine(secret, "..data")).LinkTarget); // group bits do not look like a change

        f.Objects.Secret("shop", "s", new() { ["key"] = "v2" });
        Assert.Empty(await f.Volumes.UpdateAsync(pod, CancellationToken.None));
        Assert.Equal("v2", File.ReadAllText(Path.Combine(secret, "key")));
        Assert.Equal(2345u, Stat(Path.Combine(secret, "key")).Gid);
    }

    [Fact]
    public async Task WithoutFsGroupModesAreExactlyThePayloads()
    {
        await using var f = new VolumeFixture();
        f.Objects.Secret("shop", "s", new() { ["key"] = "v1" });
        var secret = await f.SetupAsync(VolumeFixture.Pod("  - {name: sec, secret: {secretName: s, defaultMode: 256}}"), "sec");
        Assert.Equal(0x100u, Stat(Path.Combine(secret, "key")).Mode & 0x1ff);
        Assert.Equal(0u, Stat(Path.Combine(secret, "key")).Gid);
    }
}
