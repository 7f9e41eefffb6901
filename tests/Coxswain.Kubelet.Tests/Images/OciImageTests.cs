using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Coxswain.Kubelet.Images;

namespace Coxswain.Kubelet.Tests.Images;

public sealed class OciImageTests
{
    private static readonly ImageConfig Config = new()
    {
        Entrypoint = ["/bin/app"],
        Cmd = ["--port", "80"],
        Env = ["PATH=/bin", "A=b"],
        WorkingDir = "/work",
    };

    private static LayerEntry[] Entries() =>
    [
        LayerEntry.File("bin/app", [1, 2, 3], LayerEntry.Modes.Executable),
        LayerEntry.Symlink("bin/sh", "app"),
        LayerEntry.Directory("tmp", LayerEntry.Modes.StickyWorldWritable),
        LayerEntry.File("etc/conf/app.conf", "x=1\n"),
    ];

    [Fact]
    public void SameInputsGiveSameDigestsWhateverTheEntryOrder()
    {
        var first = OciImage.Build(Entries(), Config);
        var second = OciImage.Build(Entries().Reverse(), Config);

        Assert.Equal(first.Manifest.Digest, second.Manifest.Digest);
        Assert.Equal(first.Layer.Bytes, second.Layer.Bytes);
        Assert.Equal(first.Id, second.Id);
    }

    [Fact]
    public void DifferentContentOrConfigGivesDifferentDigests()
    {
        var original = OciImage.Build(Entries(), Config);
        var otherContent = OciImage.Build(Entries().Append(LayerEntry.File("extra", "1")), Config);
        var otherConfig = OciImage.Build(Entries(), Config with { Cmd = ["--port", "81"] });

        Assert.NotEqual(original.DiffId, otherContent.DiffId);
        Assert.NotEqual(original.Manifest.Digest, otherContent.Manifest.Digest);
        Assert.Equal(original.Layer.Digest, otherConfig.Layer.Digest);
        Assert.NotEqual(original.Manifest.Digest, otherConfig.Manifest.Digest);
    }

    [Fact]
    public void DigestsAreSha256OfTheBytesAndTheManifestDescribesConfigAndLayer()
    {
        var image = OciImage.Build(Entries(), Config);

        foreach (var blob in image.Blobs)
        {
            Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(blob.Bytes)), blob.Digest);
        }
        using var manifest = JsonDocument.Parse(image.Manifest.Bytes);
        var root = manifest.RootElement;
        Assert.Equal(2, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", root.GetProperty("mediaType").GetString());
        var config = root.GetProperty("config");
        Assert.Equal("application/vnd.oci.image.config.v1+json", config.GetProperty("mediaType").GetString());
        Assert.Equal(image.Config.Digest, config.GetProperty("digest").GetString());
        Assert.Equal(image.Config.Size, config.GetProperty("size").GetInt64());
        var layer = Assert.Single(root.GetProperty("layers").EnumerateArray());
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", layer.GetProperty("mediaType").GetString());
        Assert.Equal(image.Layer.Digest, layer.GetProperty("digest").GetString());
        Assert.Equal(image.Layer.Size, layer.GetProperty("size").GetInt64());
        Assert.Equal(OciBlob.DigestOf(Gunzip(image.Layer.Bytes)), image.DiffId);
    }

    [Fact]
    public void ConfigJsonCarriesPlatformRuntimeConfigAndDiffIds()
    {
        var image = OciImage.Build(Entries(), Config);

        using var json = JsonDocument.Parse(image.Config.Bytes);
        var root = json.RootElement;
        Assert.Equal("amd64", root.GetProperty("architecture").GetString());
        Assert.Equal("linux", root.GetProperty("os").GetString());
        var config = root.GetProperty("config");
        Assert.Equal(["/bin/app"], Strings(config.GetProperty("Entrypoint")));
        Assert.Equal(["--port", "80"], Strings(config.GetProperty("Cmd")));
        Assert.Equal(["PATH=/bin", "A=b"], Strings(config.GetProperty("Env")));
        Assert.Equal("/work", config.GetProperty("WorkingDir").GetString());
        Assert.Equal("layers", root.GetProperty("rootfs").GetProperty("type").GetString());
        Assert.Equal([image.DiffId], Strings(root.GetProperty("rootfs").GetProperty("diff_ids")));
    }

    [Fact]
    public void ConfigLeavesOutWhatIsNotSet()
    {
        var image = OciImage.Build([LayerEntry.File("pause", [0])], new ImageConfig { Entrypoint = ["/pause"] });

        using var json = JsonDocument.Parse(image.Config.Bytes);
        var config = json.RootElement.GetProperty("config");
        Assert.Equal(["Entrypoint"], config.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void LayerTarHasSortedRootOwnedEntriesWithParentsModesAndFixedTimes()
    {
        var entries = ReadLayer(OciImage.Build(Entries(), Config));

        Assert.Equal(["bin/", "bin/app", "bin/sh", "etc/", "etc/conf/", "etc/conf/app.conf", "tmp/"], entries.Select(e => e.Name));
        Assert.All(entries, e =>
        {
            Assert.Equal(0, e.Uid);
            Assert.Equal(0, e.Gid);
            Assert.Equal(DateTimeOffset.UnixEpoch, e.ModificationTime);
        });
        var app = entries.Single(e => e.Name == "bin/app");
        Assert.Equal(TarEntryType.RegularFile, app.EntryType);
        Assert.Equal(LayerEntry.Modes.Executable, app.Mode);
        Assert.Equal([1, 2, 3], app.Data);
        var sh = entries.Single(e => e.Name == "bin/sh");
        Assert.Equal(TarEntryType.SymbolicLink, sh.EntryType);
        Assert.Equal("app", sh.LinkName);
        Assert.Equal(LayerEntry.Modes.StickyWorldWritable, entries.Single(e => e.Name == "tmp/").Mode);
        Assert.Equal(LayerEntry.Modes.Directory, entries.Single(e => e.Name == "etc/conf/").Mode);
        Assert.Equal(LayerEntry.Modes.File, entries.Single(e => e.Name == "etc/conf/app.conf").Mode);
    }

    [Fact]
    public void DuplicateOrUncleanPathsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => OciImage.Build([LayerEntry.File("a", "1"), LayerEntry.File("/a", "2")], Config));
        Assert.Throws<ArgumentException>(() => LayerEntry.File("../etc/passwd", "x"));
        Assert.Throws<ArgumentException>(() => LayerEntry.Directory("/"));
    }

    [Fact]
    public void ArchiveIsAnOciLayoutNamedForContainerdImport()
    {
        var image = OciImage.Build(Entries(), Config);
        var path = Path.Combine(Path.GetTempPath(), "cox-oci-" + Guid.NewGuid().ToString("N") + ".tar");
        try
        {
            image.WriteArchive(path, "docker.io/library/app:1.2");

            var files = new Dictionary<string, byte[]>();
            using (var reader = new TarReader(File.OpenRead(path)))
            {
                while (reader.GetNextEntry() is { } entry)
                {
                    if (entry.EntryType == TarEntryType.RegularFile)
                    {
                        using var data = new MemoryStream();
                        entry.DataStream!.CopyTo(data);
                        files[entry.Name] = data.ToArray();
                    }
                }
            }
            Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", System.Text.Encoding.UTF8.GetString(files["oci-layout"]));
            foreach (var blob in image.Blobs)
            {
                Assert.Equal(blob.Bytes, files["blobs/sha256/" + blob.Hex]);
            }
            using var index = JsonDocument.Parse(files["index.json"]);
            var manifest = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
            Assert.Equal(image.Manifest.Digest, manifest.GetProperty("digest").GetString());
            Assert.Equal("amd64", manifest.GetProperty("platform").GetProperty("architecture").GetString());
            var annotations = manifest.GetProperty("annotations");
            Assert.Equal("docker.io/library/app:1.2", annotations.GetProperty("io.containerd.image.name").GetString());
            Assert.Equal("1.2", annotations.GetProperty("org.opencontainers.image.ref.name").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal sealed record TarItem(string Name, TarEntryType EntryType, UnixFileMode Mode, int Uid, int Gid, DateTimeOffset ModificationTime, string LinkName, byte[] Data);

    internal static List<TarItem> ReadLayer(OciImage image) => ReadTar(Gunzip(image.Layer.Bytes));

    internal static List<TarItem> ReadTar(byte[] tar)
    {
        var items = new List<TarItem>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            items.Add(new TarItem(entry.Name, entry.EntryType, entry.Mode, entry.Uid, entry.Gid, entry.ModificationTime, entry.LinkName, data.ToArray()));
        }
        return items;
    }

    internal static byte[] Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();
}
