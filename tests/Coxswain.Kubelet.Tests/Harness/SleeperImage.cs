using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Coxswain.Kubelet.Tests.Harness;

/// <summary>
/// A one-layer OCI image archive holding Debian's static busybox, whose entrypoint sleeps: enough to
/// stand in for the pause image and for a container in harness tests, with no registry. Imported with
/// `ctr images import` (layout as in shared/reference/cri-containerd.md §1.4).
/// </summary>
internal static class SleeperImage
{
    private const string BusyboxPath = "/bin/busybox";

    /// <summary>
    /// Writes the archive; <paramref name="name"/> becomes the image name in containerd. A <paramref name="variant"/>
    /// (a config label) makes an image of its own, with another id over the same layer.
    /// </summary>
    public static void WriteArchive(string path, string name, string? variant = null)
    {
        var layerTar = LayerTar();
        var diffId = Sha256(layerTar);
        var layer = Gzip(layerTar);
        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["Entrypoint"] = new JsonArray("/bin/busybox", "sleep", "2147483647"),
                ["Labels"] = new JsonObject { ["variant"] = variant ?? "" },
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray($"sha256:{diffId}") },
        }.ToJsonString());
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", config),
            ["layers"] = new JsonArray(Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer)),
        }.ToJsonString());
        var manifestDescriptor = Descriptor("application/vnd.oci.image.manifest.v1+json", manifest);
        manifestDescriptor["platform"] = new JsonObject { ["architecture"] = "amd64", ["os"] = "linux" };
        manifestDescriptor["annotations"] = new JsonObject
        {
            ["io.containerd.image.name"] = name,
            ["org.opencontainers.image.ref.name"] = name[(name.LastIndexOf(':') + 1)..],
        };
        var index = Encoding.UTF8.GetBytes(new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray(manifestDescriptor) }.ToJsonString());

        using var file = File.Create(path);
        using var archive = new TarWriter(file, TarEntryFormat.Pax);
        Add(archive, "oci-layout", Encoding.UTF8.GetBytes("""{"imageLayoutVersion":"1.0.0"}"""));
        Add(archive, "index.json", index);
        foreach (var blob in new[] { layer, config, manifest })
        {
            Add(archive, $"blobs/sha256/{Sha256(blob)}", blob);
        }
    }

    private static byte[] LayerTar()
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)0b111_101_101 });
            Add(tar, "bin/busybox", File.ReadAllBytes(BusyboxPath), (UnixFileMode)0b111_101_101);
        }
        return buffer.ToArray();
    }

    private static void Add(TarWriter tar, string name, byte[] content, UnixFileMode mode = (UnixFileMode)0b110_100_100)
    {
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content), Mode = mode });
    }

    private static JsonObject Descriptor(string mediaType, byte[] content) => new()
    {
        ["mediaType"] = mediaType,
        ["digest"] = $"sha256:{Sha256(content)}",
        ["size"] = content.Length,
    };

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return buffer.ToArray();
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
