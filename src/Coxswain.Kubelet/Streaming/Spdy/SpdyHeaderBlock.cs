using System.Buffers.Binary;
using System.Text;
using ICSharpCode.SharpZipLib.Zip.Compression;

namespace Coxswain.Kubelet.Streaming.Spdy;

/// <summary>
/// Writes SPDY/3 header blocks as one zlib stream per connection direction. The output is
/// valid zlib "compressed" with stored (uncompressed) deflate blocks: any peer inflates it with
/// the SPDY dictionary, every block ends on a byte boundary, and each header block ends with the
/// empty stored block a zlib sync flush writes.
/// </summary>
internal sealed class SpdyHeaderWriter
{
    private bool _headerWritten;

    public byte[] Encode(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var plain = Serialize(headers);
        using var output = new MemoryStream(plain.Length + 16);
        if (!_headerWritten)
        {
            // CMF 0x78 (deflate, 32 KiB window), FLG 0x20 (FDICT; 0x7820 is a multiple of 31), then the dictionary's Adler-32.
            output.Write([0x78, 0x20]);
            Span<byte> dictId = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(dictId, Adler32(SpdyDictionary.Bytes));
            output.Write(dictId);
            _headerWritten = true;
        }
        var offset = 0;
        do
        {
            var length = Math.Min(plain.Length - offset, ushort.MaxValue);
            // A non-final stored block: BFINAL 0, BTYPE 00, padded to the byte, LEN, NLEN (little endian).
            output.WriteByte(0);
            output.WriteByte((byte)length);
            output.WriteByte((byte)(length >> 8));
            output.WriteByte((byte)~length);
            output.WriteByte((byte)(~length >> 8));
            output.Write(plain, offset, length);
            offset += length;
        }
        while (offset < plain.Length);
        // An empty stored block, as zlib's sync flush ends with: Go's inflater hands out a block's
        // data only when it reaches the next block, and fails for good if that means waiting for input.
        output.Write([0x00, 0x00, 0x00, 0xff, 0xff]);
        return output.ToArray();
    }

    /// <summary>The uncompressed block: pair count, then length-prefixed names and values (all 32-bit big endian).</summary>
    internal static byte[] Serialize(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        using var plain = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, headers.Count);
        plain.Write(number);
        foreach (var (name, value) in headers)
        {
            foreach (var text in new[] { name.ToLowerInvariant(), value })
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteInt32BigEndian(number, bytes.Length);
                plain.Write(number);
                plain.Write(bytes);
            }
        }
        return plain.ToArray();
    }

    internal static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        foreach (var x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }
}

/// <summary>Reads SPDY/3 header blocks: one inflater per connection direction, primed with the SPDY dictionary.</summary>
internal sealed class SpdyHeaderReader
{
    private const int MaxBlock = 1 << 20;
    private readonly Inflater _inflater = new();

    public List<KeyValuePair<string, string>> Decode(ReadOnlySpan<byte> compressed)
    {
        _inflater.SetInput(compressed.ToArray());
        using var plain = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var n = _inflater.Inflate(buffer);
            if (n > 0)
            {
                plain.Write(buffer, 0, n);
                if (plain.Length > MaxBlock)
                {
                    throw new InvalidDataException("SPDY header block too large");
                }
                continue;
            }
            if (_inflater.IsNeedingDictionary)
            {
                _inflater.SetDictionary(SpdyDictionary.Bytes);
                continue;
            }
            // No output and no dictionary wanted: everything this frame carried is inflated.
            break;
        }
        return Parse(plain.GetBuffer().AsSpan(0, (int)plain.Length));
    }

    internal static List<KeyValuePair<string, string>> Parse(ReadOnlySpan<byte> block)
    {
        var count = ReadLength(ref block);
        var headers = new List<KeyValuePair<string, string>>(count);
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(ref block);
            var value = ReadString(ref block);
            headers.Add(new(name, value));
        }
        return headers;
    }

    private static int ReadLength(ref ReadOnlySpan<byte> block)
    {
        if (block.Length < 4)
        {
            throw new InvalidDataException("truncated SPDY header block");
        }
        var n = BinaryPrimitives.ReadInt32BigEndian(block);
        block = block[4..];
        return n >= 0 && n <= block.Length ? n : throw new InvalidDataException("bad length in SPDY header block");
    }

    private static string ReadString(ref ReadOnlySpan<byte> block)
    {
        var n = ReadLength(ref block);
        var text = Encoding.UTF8.GetString(block[..n]);
        block = block[n..];
        return text;
    }
}
