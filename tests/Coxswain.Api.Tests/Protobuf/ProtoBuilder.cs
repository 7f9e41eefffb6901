using System.Text;

namespace Coxswain.Api.Tests.Protobuf;

/// <summary>A tiny protobuf writer for building test messages by hand, field by field.</summary>
internal sealed class ProtoBuilder
{
    private readonly List<byte> _bytes = [];

    public ProtoBuilder Varint(int number, long value)
    {
        Tag(number, 0);
        WriteVarint((ulong)value);
        return this;
    }

    public ProtoBuilder Bool(int number, bool value) => Varint(number, value ? 1 : 0);

    public ProtoBuilder Bytes(int number, byte[] value)
    {
        Tag(number, 2);
        WriteVarint((ulong)value.Length);
        _bytes.AddRange(value);
        return this;
    }

    public ProtoBuilder String(int number, string value) => Bytes(number, Encoding.UTF8.GetBytes(value));

    public ProtoBuilder Message(int number, ProtoBuilder message) => Bytes(number, message.ToArray());

    public ProtoBuilder Message(int number, Func<ProtoBuilder, ProtoBuilder> build) => Message(number, build(new ProtoBuilder()));

    /// <summary>A map entry {1: key, 2: value} of a map&lt;string, string&gt;.</summary>
    public ProtoBuilder Entry(int number, string key, string value) =>
        Message(number, new ProtoBuilder().String(1, key).String(2, value));

    public ProtoBuilder Entry(int number, string key, byte[] value) =>
        Message(number, new ProtoBuilder().String(1, key).Bytes(2, value));

    public ProtoBuilder Entry(int number, string key, ProtoBuilder value) =>
        Message(number, new ProtoBuilder().String(1, key).Message(2, value));

    public ProtoBuilder Fixed64(int number, ulong value)
    {
        Tag(number, 1);
        for (var i = 0; i < 8; i++)
        {
            _bytes.Add((byte)(value >> (8 * i)));
        }
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>"k8s\0" + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}.</summary>
    public static byte[] Envelope(string apiVersion, string kind, ProtoBuilder raw)
    {
        var unknown = new ProtoBuilder()
            .Message(1, t => t.String(1, apiVersion).String(2, kind))
            .Message(2, raw)
            .String(3, "")
            .String(4, "");
        return [.. "k8s\0"u8.ToArray(), .. unknown.ToArray()];
    }

    private void Tag(int number, int wire) => WriteVarint(((ulong)number << 3) | (uint)wire);

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.Add((byte)value);
    }
}
