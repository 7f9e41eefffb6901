using System.Buffers.Binary;
using System.Text;

namespace Coxswain.Api.Protobuf;

/// <summary>
/// Writes the protobuf wire format into a growable buffer. Nested messages are written in
/// place: <see cref="BeginMessage"/> remembers where the body starts and <see cref="EndMessage"/>
/// moves it to make room for its length.
/// </summary>
internal sealed class ProtoWriter
{
    private byte[] _buffer;
    private int _length;

    public ProtoWriter(int capacity = 256) => _buffer = new byte[capacity];

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Grow(bytes.Length));
        _length += bytes.Length;
    }

    public void WriteTag(int number, WireType wire) => WriteVarint(((ulong)(uint)number << 3) | (uint)wire);

    public void WriteVarint(ulong value)
    {
        var span = Grow(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _length += i;
    }

    public void WriteFixed64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), value);
        _length += 8;
    }

    public void WriteFixed32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value);
        _length += 4;
    }

    public void WriteBytes(int number, ReadOnlySpan<byte> bytes)
    {
        WriteTag(number, WireType.LengthDelimited);
        WriteVarint((ulong)bytes.Length);
        WriteRaw(bytes);
    }

    public void WriteString(int number, string value)
    {
        WriteTag(number, WireType.LengthDelimited);
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max <= 4096)
        {
            Span<byte> tmp = stackalloc byte[max];
            var n = Encoding.UTF8.GetBytes(value, tmp);
            WriteVarint((ulong)n);
            WriteRaw(tmp[..n]);
        }
        else
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            WriteVarint((ulong)bytes.Length);
            WriteRaw(bytes);
        }
    }

    /// <summary>Writes the tag of a length-delimited field and returns the body's start.</summary>
    public int BeginMessage(int number)
    {
        WriteTag(number, WireType.LengthDelimited);
        return _length;
    }

    /// <summary>Inserts the length of the body written since <paramref name="start"/>.</summary>
    public void EndMessage(int start)
    {
        var bodyLength = _length - start;
        var prefix = VarintSize((ulong)bodyLength);
        Grow(prefix);
        _buffer.AsSpan(start, bodyLength).CopyTo(_buffer.AsSpan(start + prefix));
        var value = (ulong)bodyLength;
        var i = start;
        while (value >= 0x80)
        {
            _buffer[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _buffer[i] = (byte)value;
        _length += prefix;
    }

    private static int VarintSize(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        return _buffer.AsSpan(_length);
    }
}
