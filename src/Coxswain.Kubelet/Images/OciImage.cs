using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace Coxswain.Kubelet.Images;

/// <summary>
/// A single-layer OCI image (amd64/linux) built in memory from a list of entries. Deterministic: entries are
/// sorted, every mtime is the Unix epoch and owners are root, so the same inputs always give the same digests.
/// </summary>
public sealed class OciImage
{
    private OciImage(OciBlob layer, string diffId, OciBlob config, OciBlob manifest)
    {
        Layer = layer;
        DiffId = diffId;
        Config = config;
        Manifest = manifest;
    }

    /// <summary>The gzipped layer tar.</summary>
    public OciBlob Layer { get; }

    /// <summary>Digest of the uncompressed layer tar (rootfs.diff_ids in the config).</summary>
    public string DiffId { get; }

    public OciBlob Config { get; }
    public OciBlob Manifest { get; }

    /// <summary>The image ID as the CRI reports it: the config digest.</summary>
    public string Id => Config.Digest;

    public static OciImage Build(IEnumerable<LayerEntry> entries, ImageConfig config)
    {
        var tar = LayerTar(entries);
        var diffId = OciBlob.DigestOf(tar);
        var layer = new OciBlob(OciMediaTypes.LayerGzip, Gzip(tar));
        var configBlob = new OciBlob(OciMediaTypes.Config, ConfigJson(config, diffId));
        var manifest = new OciBlob(OciMediaTypes.Manifest, Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciMediaTypes.Manifest);
            w.WritePropertyName("config");
            WriteDescriptor(w, configBlob);
            w.WriteStartArray("layers");
            WriteDescriptor(w, layer);
            w.WriteEndArray();
        }));
        return new OciImage(layer, diffId, configBlob, manifest);
    }

    /// <summary>Config, layer and manifest: every blob a registry or an OCI layout must hold.</summary>
    public IEnumerable<OciBlob> Blobs => [Config, Layer, Manifest];

    /// <summary>
    /// Writes an OCI image layout (oci-layout, index.json, blobs/sha256/*) to <paramref name="directory"/>, named
    /// <paramref name="imageName"/> (e.g. "docker.io/library/busybox:latest") the way `ctr images import` reads it.
    /// </summary>
    public void WriteLayout(string directory, string imageName)
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        foreach (var (name, bytes) in LayoutFiles(imageName))
        {
            File.WriteAllBytes(Path.Combine(directory, name), bytes);
        }
    }

    /// <summary>The OCI layout as one tar file, for `ctr -n k8s.io images import` or skopeo's oci-archive: transport.</summary>
    public void WriteArchive(string path, string imageName)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Ustar, leaveOpen: false);
        writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, "blobs/") { Mode = LayerEntry.Modes.Directory, ModificationTime = DateTimeOffset.UnixEpoch });
        writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, "blobs/sha256/") { Mode = LayerEntry.Modes.Directory, ModificationTime = DateTimeOffset.UnixEpoch });
        foreach (var (name, bytes) in LayoutFiles(imageName))
        {
            writer.WriteEntry(FileEntry(name, bytes, LayerEntry.Modes.File));
        }
    }

    private IEnumerable<(string Name, byte[] Bytes)> LayoutFiles(string imageName)
    {
        yield return ("oci-layout", Json(w => w.WriteString("imageLayoutVersion", "1.0.0")));
        yield return ("index.json", Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciMediaTypes.Index);
            w.WriteStartArray("manifests");
            WriteDescriptor(w, Manifest, platform: true, annotations: new()
            {
                ["io.containerd.image.name"] = imageName,
                ["org.opencontainers.image.ref.name"] = ImageReference.Parse(imageName).Tag ?? "latest",
            });
            w.WriteEndArray();
        }));
        foreach (var blob in Blobs)
        {
            yield return ($"blobs/sha256/{blob.Hex}", blob.Bytes);
        }
    }

    private static byte[] LayerTar(IEnumerable<LayerEntry> entries)
    {
        var byPath = new SortedDictionary<string, LayerEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!byPath.TryAdd(entry.Path, entry))
            {
                throw new ArgumentException($"{entry.Path} is in the layer twice");
            }
        }
        // A tar may name a file before (or without) its directory; give every parent an explicit 0755 entry.
        foreach (var path in byPath.Keys.ToList())
        {
            for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            {
                byPath.TryAdd(path[..slash], LayerEntry.Directory(path[..slash]));
            }
        }
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var entry in byPath.Values)
            {
                writer.WriteEntry(entry.Kind switch
                {
                    LayerEntryKind.Directory => new UstarTarEntry(TarEntryType.Directory, entry.Path + "/") { Mode = entry.Mode, ModificationTime = DateTimeOffset.UnixEpoch },
                    LayerEntryKind.Symlink => new UstarTarEntry(TarEntryType.SymbolicLink, entry.Path) { LinkName = entry.LinkTarget!, Mode = entry.Mode, ModificationTime = DateTimeOffset.UnixEpoch },
                    _ => FileEntry(entry.Path, entry.ReadContent(), entry.Mode),
                });
            }
        }
        return buffer.ToArray();
    }

    private static UstarTarEntry FileEntry(string name, byte[] bytes, UnixFileMode mode) => new(TarEntryType.RegularFile, name)
    {
        Mode = mode,
        ModificationTime = DateTimeOffset.UnixEpoch,
        DataStream = new MemoryStream(bytes, writable: false),
    };

    private static byte[] Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }
        return buffer.ToArray();
    }

    private static byte[] ConfigJson(ImageConfig config, string diffId) => Json(w =>
    {
        w.WriteString("created", "1970-01-01T00:00:00Z");
        w.WriteString("architecture", "amd64");
        w.WriteString("os", "linux");
        w.WriteStartObject("config");
        if (config.Env.Count > 0)
        {
            WriteStrings(w, "Env", config.Env);
        }
        if (config.Entrypoint is { } entrypoint)
        {
            WriteStrings(w, "Entrypoint", entrypoint);
        }
        if (config.Cmd is { } cmd)
        {
            WriteStrings(w, "Cmd", cmd);
        }
        if (!string.IsNullOrEmpty(config.WorkingDir))
        {
            w.WriteString("WorkingDir", config.WorkingDir);
        }
        w.WriteEndObject();
        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        WriteStrings(w, "diff_ids", [diffId]);
        w.WriteEndObject();
    });

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }
        w.WriteEndArray();
    }

    private static void WriteDescriptor(Utf8JsonWriter w, OciBlob blob, bool platform = false, Dictionary<string, string>? annotations = null)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", blob.MediaType);
        w.WriteString("digest", blob.Digest);
        w.WriteNumber("size", blob.Size);
        if (platform)
        {
            w.WriteStartObject("platform");
            w.WriteString("architecture", "amd64");
            w.WriteString("os", "linux");
            w.WriteEndObject();
        }
        if (annotations != null)
        {
            w.WriteStartObject("annotations");
            foreach (var (key, value) in annotations)
            {
                w.WriteString(key, value);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            writeProperties(w);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
