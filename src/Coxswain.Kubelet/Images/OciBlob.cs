using System.Security.Cryptography;

namespace Coxswain.Kubelet.Images;

/// <summary>Content-addressed bytes of an image (layer, config or manifest) with the media type that describes them.</summary>
public sealed class OciBlob
{
    public OciBlob(string mediaType, byte[] bytes)
    {
        MediaType = mediaType;
        Bytes = bytes;
        Digest = DigestOf(bytes);
    }

    public string MediaType { get; }
    public byte[] Bytes { get; }

    /// <summary>"sha256:" and the lowercase hex SHA-256 of <see cref="Bytes"/>.</summary>
    public string Digest { get; }

    public long Size => Bytes.LongLength;

    /// <summary>The digest's hex part, the file name under blobs/sha256/ of an OCI layout.</summary>
    public string Hex => Digest["sha256:".Length..];

    public static string DigestOf(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
