using System.Buffers.Binary;
using Coxswain.Api.Errors;

namespace Coxswain.Api.Protobuf;

/// <summary>Protobuf wire types.</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// Reads the protobuf wire format from a span. Malformed input (truncated, overlong varints,
/// bad wire types) is a 400 BadRequest.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    public readonly bool End => _pos >= _data.Length;

    public (int Number, WireType Wire) ReadTag()
    {
        var tag = ReadVarint();
        var number = tag >> 3;
        if (number == 0 || number > int.MaxValue)
        {
            throw Malformed($"invalid field number {number}");
        }
        return ((int)number, (WireType)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                throw Malformed("truncated varint");
            }
            var b = _data[_pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw Malformed("varint is too long");
    }

    public ulong ReadFixed64()
    {
        var span = Take(8);
        return BinaryPrimitives.ReadUInt64LittleEndian(span);
    }

    public uint ReadFixed32()
    {
        var span = Take(4);
        return BinaryPrimitives.ReadUInt32LittleEndian(span);
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _pos))
        {
            throw Malformed("truncated length-delimited field");
        }
        return Take((int)length);
    }

    /// <summary>Skips the value of a field whose number is not in the table.</summary>
    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8); break;
            case WireType.Fixed32: Take(4); break;
            case WireType.LengthDelimited: ReadBytes(); break;
            case WireType.StartGroup: SkipGroup(); break;
            default: throw Malformed($"unexpected wire type {(int)wire}");
        }
    }

    private void SkipGroup()
    {
        while (true)
        {
            if (End)
            {
                throw Malformed("unterminated group");
            }
            var (_, wire) = ReadTag();
            if (wire == WireType.EndGroup)
            {
                return;
            }
            Skip(wire);
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _pos)
        {
            throw Malformed("unexpected end of data");
        }
        var span = _data.Slice(_pos, count);
        _pos += count;
        return span;
    }

    public static ApiException Malformed(string why) =>
        ApiException.BadRequest($"the request body is not a valid protobuf object: {why}");
}
