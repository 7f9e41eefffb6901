namespace Coxswain.Kubelet.Streaming.Spdy;

/// <summary>SPDY/3 control frame types (a DATA frame has none).</summary>
internal enum SpdyFrameType : ushort
{
    Data = 0,
    SynStream = 1,
    SynReply = 2,
    RstStream = 3,
    Settings = 4,
    Ping = 6,
    GoAway = 7,
    Headers = 8,
    WindowUpdate = 9,
}

/// <summary>
/// One SPDY/3 frame, decoded. Only the fields that the frame type carries are set:
/// <see cref="Headers"/> for SYN_STREAM/SYN_REPLY/HEADERS, <see cref="Data"/> for DATA,
/// <see cref="Value"/> for RST_STREAM and GOAWAY (status), PING (id) and WINDOW_UPDATE (delta).
/// </summary>
internal sealed record SpdyFrame(SpdyFrameType Type, int StreamId, byte Flags)
{
    /// <summary>FLAG_FIN on DATA, SYN_STREAM, SYN_REPLY and HEADERS: the sender is done with the stream.</summary>
    public const byte FlagFin = 0x01;

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public ReadOnlyMemory<byte> Data { get; init; }
    public int Value { get; init; }

    public bool Fin => (Flags & FlagFin) != 0;

    /// <summary>The first value of a header, by case-insensitive name (SPDY names are lowercase on the wire).</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return null;
    }

    public static SpdyFrame DataFrame(int streamId, ReadOnlyMemory<byte> data, bool fin) =>
        new(SpdyFrameType.Data, streamId, fin ? FlagFin : (byte)0) { Data = data };

    public static SpdyFrame SynStream(int streamId, IReadOnlyList<KeyValuePair<string, string>> headers, bool fin = false) =>
        new(SpdyFrameType.SynStream, streamId, fin ? FlagFin : (byte)0) { Headers = headers };

    public static SpdyFrame SynReply(int streamId, IReadOnlyList<KeyValuePair<string, string>> headers, bool fin = false) =>
        new(SpdyFrameType.SynReply, streamId, fin ? FlagFin : (byte)0) { Headers = headers };

    public static SpdyFrame Reset(int streamId, int status) => new(SpdyFrameType.RstStream, streamId, 0) { Value = status };
}

/// <summary>RST_STREAM status codes used here.</summary>
internal static class SpdyRstStatus
{
    public const int ProtocolError = 1;
    public const int Cancel = 5;
}
