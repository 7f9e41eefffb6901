using System.Formats.Tar;
using System.Text.Json;
using Coxswain.Kubelet.Images;

namespace Coxswain.Kubelet.Tests.Images;

public sealed class SeedImagesTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void PauseBinaryIsBuiltNextToTheAssemblyStaticAndExecutable()
    {
        Assert.True(PauseBinary.Exists, $"no pause binary at {PauseBinary.Path}");
        Assert.True(File.GetUnixFileMode(PauseBinary.Path).HasFlag(UnixFileMode.UserExecute));
        var elf = File.ReadAllBytes(PauseBinary.Path);
        Assert.Equal("\u007fELF"u8.ToArray(), elf[..4]);
    }

    [Fact]
    public void PauseImageRunsPauseFromItsRoot()
    {
        var seed = SeedImages.Pause(PauseBinary.Path);

        Assert.Equal("registry.k8s.io/pause:3.10", seed.Name);
        var entry = Assert.Single(OciImageTests.ReadLayer(seed.Image));
        Assert.Equal("pause", entry.Name);
        Assert.Equal(File.ReadAllBytes(PauseBinary.Path), entry.Data);
        Assert.Equal(LayerEntry.Modes.Executable, entry.Mode);
        using var config = JsonDocument.Parse(seed.Image.Config.Bytes);
        Assert.Equal("/pause", config.RootElement.GetProperty("config").GetProperty("Entrypoint")[0].GetString());
    }

    [Fact]
    public async Task BusyboxImageHasAppletLinksUsersAndAStickyTmp()
    {
        var applets = await SeedImages.BusyboxAppletsAsync(SeedImages.DefaultBusyboxPath);
        Assert.Contains("sh", applets);
        Assert.Contains("httpd", applets);

        var seed = SeedImages.Busybox(SeedImages.DefaultBusyboxPath, applets);

        Assert.Equal("docker.io/library/busybox:latest", seed.Name);
        Assert.Equal("busybox.oci.tar", seed.ArchiveFileName);
        var entries = OciImageTests.ReadLayer(seed.Image).ToDictionary(e => e.Name);
        Assert.Equal(File.ReadAllBytes(SeedImages.DefaultBusyboxPath), entries["bin/busybox"].Data);
        foreach (var applet in applets.Where(a => a != "busybox"))
        {
            Assert.Equal(TarEntryType.SymbolicLink, entries["bin/" + applet].EntryType);
            Assert.Equal("busybox", entries["bin/" + applet].LinkName);
        }
        Assert.Equal(LayerEntry.Modes.StickyWorldWritable, entries["tmp/"].Mode);
        var passwd = System.Text.Encoding.UTF8.GetString(entries["etc/passwd"].Data);
        Assert.StartsWith("root:x:0:0:", passwd);
        Assert.Contains("nobody:x:65534:65534:", passwd);
        Assert.Contains("nogroup:x:65534:", System.Text.Encoding.UTF8.GetString(entries["etc/group"].Data));
        using var config = JsonDocument.Parse(seed.Image.Config.Bytes);
        Assert.Equal("sh", config.RootElement.GetProperty("config").GetProperty("Cmd")[0].GetString());
    }

    [Fact]
    public async Task MissingBusyboxIsAClearError()
    {
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => SeedImages.BuildAsync(PauseBinary.Path, "/nonexistent/busybox"));
        Assert.Contains("busybox-static", error.Message);
    }
}
