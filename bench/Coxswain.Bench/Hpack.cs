using System.Text;

namespace Coxswain.Bench;

/// <summary>
/// The parts of HPACK (RFC 7541) the lean HTTP/2 client needs. Requests are encoded with static-table
/// references and literals without indexing (never Huffman), so the client keeps no encoder state;
/// answers are decoded in full (static and dynamic table, size updates, Huffman strings) because the
/// decoder's dynamic table must track the server's, though only :status is kept.
/// </summary>
internal static class Hpack
{
    public const int Authority = 1, MethodGet = 2, MethodPost = 3, Path = 4, SchemeHttps = 7;
    public const int Accept = 19, Authorization = 23, ContentLength = 28, ContentType = 31;

    /// <summary>The static table of RFC 7541 Appendix A; entry 0 is unused.</summary>
    public static readonly (byte[] Name, byte[] Value)[] StaticTable = BuildStaticTable();

    private static (byte[], byte[])[] BuildStaticTable()
    {
        string[] entries =
        [
            "", ":authority", ":method GET", ":method POST", ":path /", ":path /index.html", ":scheme http", ":scheme https",
            ":status 200", ":status 204", ":status 206", ":status 304", ":status 400", ":status 404", ":status 500",
            "accept-charset", "accept-encoding gzip, deflate", "accept-language", "accept-ranges", "accept",
            "access-control-allow-origin", "age", "allow", "authorization", "cache-control", "content-disposition",
            "content-encoding", "content-language", "content-length", "content-location", "content-range", "content-type",
            "cookie", "date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match",
            "if-range", "if-unmodified-since", "last-modified", "link", "location", "max-forwards", "proxy-authenticate",
            "proxy-authorization", "range", "referer", "refresh", "retry-after", "server", "set-cookie",
            "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via", "www-authenticate",
        ];
        var table = new (byte[], byte[])[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var space = entries[i].IndexOf(' ');
            table[i] = space < 0
                ? (Encoding.ASCII.GetBytes(entries[i]), [])
                : (Encoding.ASCII.GetBytes(entries[i][..space]), Encoding.ASCII.GetBytes(entries[i][(space + 1)..]));
        }
        return table;
    }

    /// <summary>Writes an HPACK integer with an N-bit prefix; <paramref name="pattern"/> holds the bits above the prefix.</summary>
    public static int WriteInteger(Span<byte> dest, int value, int prefixBits, byte pattern)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            dest[0] = (byte)(pattern | value);
            return 1;
        }
        dest[0] = (byte)(pattern | max);
        var at = 1;
        value -= max;
        while (value >= 128)
        {
            dest[at++] = (byte)(0x80 | (value & 0x7f));
            value >>= 7;
        }
        dest[at++] = (byte)value;
        return at;
    }

    /// <summary>A literal header field without indexing with a static-table name and a plain (not Huffman) ASCII value.</summary>
    public static int WriteLiteral(Span<byte> dest, int nameIndex, ReadOnlySpan<char> value)
    {
        var at = WriteInteger(dest, nameIndex, 4, 0x00);
        at += WriteInteger(dest[at..], value.Length, 7, 0x00);
        return at + Encoding.ASCII.GetBytes(value, dest[at..]);
    }

    /// <summary>The most bytes <see cref="WriteLiteral"/> writes for a value of this length.</summary>
    public static int LiteralSize(int valueLength) => 12 + valueLength;
}

/// <summary>Decodes the header blocks of one connection's answers (RFC 7541 section 3-6).</summary>
internal sealed class HpackDecoder(int maxTableSize)
{
    private readonly int _maxTableSize = maxTableSize;
    private static readonly byte[] StatusName = ":status"u8.ToArray();
    private (byte[] Name, byte[] Value)[] _entries = new (byte[], byte[])[16];
    private int _newest = -1; // index in _entries of the newest entry
    private int _count;
    private int _size;
    private int _limit = maxTableSize;
    private byte[] _scratch = new byte[256];

    /// <summary>Decodes one complete header block; returns :status (or -1 if absent) and, if asked, every field.</summary>
    public int Decode(ReadOnlySpan<byte> block, List<(string Name, string Value)>? fields = null)
    {
        var status = -1;
        var at = 0;
        var fieldSeen = false;
        while (at < block.Length)
        {
            var b = block[at];
            ReadOnlySpan<byte> name, value;
            if ((b & 0x80) != 0)
            {
                var entry = Entry(ReadInteger(block, ref at, 7));
                name = entry.Name;
                value = entry.Value;
            }
            else if ((b & 0xe0) == 0x20)
            {
                if (fieldSeen)
                {
                    throw new InvalidDataException("HPACK: dynamic table size update after a header field");
                }
                var size = ReadInteger(block, ref at, 5);
                if (size > _maxTableSize)
                {
                    throw new InvalidDataException($"HPACK: table size update to {size} above the advertised {_maxTableSize}");
                }
                _limit = size;
                Evict(0);
                continue;
            }
            else
            {
                var indexing = (b & 0xc0) == 0x40;
                var nameIndex = ReadInteger(block, ref at, indexing ? 6 : 4);
                byte[]? nameArray = null;
                var scratchUsed = 0;
                if (nameIndex == 0)
                {
                    name = ReadString(block, ref at, 0, out scratchUsed);
                }
                else
                {
                    nameArray = Entry(nameIndex).Name;
                    name = nameArray;
                }
                value = ReadString(block, ref at, scratchUsed, out _);
                if (indexing)
                {
                    Add(nameArray ?? name.ToArray(), value.ToArray());
                }
            }
            fieldSeen = true;
            if (name.SequenceEqual(StatusName))
            {
                if (value.Length != 3 || !char.IsAsciiDigit((char)value[0]) || !char.IsAsciiDigit((char)value[1]) || !char.IsAsciiDigit((char)value[2]))
                {
                    throw new InvalidDataException("HPACK: malformed :status " + Encoding.ASCII.GetString(value));
                }
                status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
            }
            fields?.Add((Encoding.ASCII.GetString(name), Encoding.ASCII.GetString(value)));
        }
        return status;
    }

    /// <summary>The size of the dynamic table as RFC 7541 section 4.1 counts it.</summary>
    public int TableSize => _size;

    private (byte[] Name, byte[] Value) Entry(int index)
    {
        if (index <= 0)
        {
            throw new InvalidDataException("HPACK: index 0");
        }
        if (index < Hpack.StaticTable.Length)
        {
            return Hpack.StaticTable[index];
        }
        var d = index - Hpack.StaticTable.Length;
        if (d >= _count)
        {
            throw new InvalidDataException($"HPACK: index {index} beyond the dynamic table ({_count} entries)");
        }
        return _entries[(_newest - d + _entries.Length) % _entries.Length];
    }

    private void Add(byte[] name, byte[] value)
    {
        var entrySize = name.Length + value.Length + 32;
        if (entrySize > _limit)
        {
            _count = 0;
            _size = 0;
            return;
        }
        Evict(entrySize);
        if (_count == _entries.Length)
        {
            var grown = new (byte[], byte[])[_entries.Length * 2];
            for (var i = 0; i < _count; i++)
            {
                grown[_count - 1 - i] = _entries[(_newest - i + _entries.Length) % _entries.Length];
            }
            _entries = grown;
            _newest = _count - 1;
        }
        _newest = (_newest + 1) % _entries.Length;
        _entries[_newest] = (name, value);
        _count++;
        _size += entrySize;
    }

    /// <summary>Drops the oldest entries until <paramref name="room"/> more bytes fit under the limit.</summary>
    private void Evict(int room)
    {
        while (_count > 0 && _size + room > _limit)
        {
            var oldest = _entries[(_newest - _count + 1 + _entries.Length) % _entries.Length];
            _size -= oldest.Name.Length + oldest.Value.Length + 32;
            _count--;
        }
    }

    private static int ReadInteger(ReadOnlySpan<byte> block, ref int at, int prefixBits)
    {
        var max = (1 << prefixBits) - 1;
        var value = block[at++] & max;
        if (value < max)
        {
            return value;
        }
        for (var shift = 0; ; shift += 7)
        {
            if (at >= block.Length || shift > 21)
            {
                throw new InvalidDataException("HPACK: truncated or oversized integer");
            }
            var b = block[at++];
            value += (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    /// <summary>
    /// Reads a string literal: a plain one is a slice of the block; a Huffman one is decoded into the scratch
    /// buffer at <paramref name="scratchOffset"/> (after a name decoded there just before).
    /// </summary>
    private ReadOnlySpan<byte> ReadString(ReadOnlySpan<byte> block, scoped ref int at, int scratchOffset, out int scratchEnd)
    {
        scratchEnd = scratchOffset;
        if (at >= block.Length)
        {
            throw new InvalidDataException("HPACK: truncated header block");
        }
        var huffman = (block[at] & 0x80) != 0;
        var length = ReadInteger(block, ref at, 7);
        if (length > block.Length - at)
        {
            throw new InvalidDataException("HPACK: string runs past the header block");
        }
        var raw = block.Slice(at, length);
        at += length;
        if (!huffman)
        {
            return raw;
        }
        // The shortest code has 5 bits. A resize leaves a name decoded before in the old array, still valid.
        if (_scratch.Length < scratchOffset + length * 8 / 5 + 1)
        {
            _scratch = new byte[(scratchOffset + length * 2 + 16) * 2];
        }
        var decoded = Huffman.Decode(raw, _scratch.AsSpan(scratchOffset));
        scratchEnd = scratchOffset + decoded;
        return _scratch.AsSpan(scratchOffset, decoded);
    }
}

/// <summary>The canonical Huffman code of RFC 7541 Appendix B, for decoding.</summary>
internal static class Huffman
{
    /// <summary>Code length in bits of symbols 0..256 (256 = EOS); the codes are canonical (assigned in order of length, then symbol).</summary>
    private static readonly byte[] Lengths =
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    ];

    /// <summary>Codes (right-aligned) of symbols 0..256, derived from <see cref="Lengths"/>.</summary>
    public static readonly uint[] Codes = BuildCodes();

    /// <summary>A binary tree: node n's children are at [2n] (bit 0) and [2n+1] (bit 1); a leaf is ~symbol.</summary>
    private static readonly int[] Tree = BuildTree();

    private static uint[] BuildCodes()
    {
        var codes = new uint[Lengths.Length];
        uint code = 0;
        var length = 0;
        for (var bits = 1; bits <= 30; bits++)
        {
            for (var sym = 0; sym < Lengths.Length; sym++)
            {
                if (Lengths[sym] == bits)
                {
                    code <<= bits - length;
                    length = bits;
                    codes[sym] = code++;
                }
            }
        }
        return codes;
    }

    private static int[] BuildTree()
    {
        var tree = new int[2 * 2 * Lengths.Length];
        var nodes = 1;
        for (var sym = 0; sym < Lengths.Length; sym++)
        {
            var node = 0;
            for (var bit = Lengths[sym] - 1; bit >= 0; bit--)
            {
                var slot = 2 * node + (int)((Codes[sym] >> bit) & 1);
                if (bit == 0)
                {
                    tree[slot] = ~sym;
                }
                else
                {
                    if (tree[slot] == 0)
                    {
                        tree[slot] = nodes++;
                    }
                    node = tree[slot];
                }
            }
        }
        return tree;
    }

    /// <summary>Decodes <paramref name="source"/> into <paramref name="dest"/> and returns the decoded length.</summary>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> dest)
    {
        var written = 0;
        var node = 0;
        var depth = 0; // bits read since the last symbol
        var allOnes = true; // ...and whether they were all 1s (the padding must be an EOS prefix)
        foreach (var b in source)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                var one = (b >> bit) & 1;
                var next = Tree[2 * node + one];
                depth++;
                allOnes &= one == 1;
                if (next < 0)
                {
                    if (~next == 256)
                    {
                        throw new InvalidDataException("HPACK: EOS inside a Huffman string");
                    }
                    dest[written++] = (byte)~next;
                    node = 0;
                    depth = 0;
                    allOnes = true;
                }
                else
                {
                    node = next;
                }
            }
        }
        if (depth > 7 || !allOnes)
        {
            throw new InvalidDataException("HPACK: bad Huffman padding");
        }
        return written;
    }
}
