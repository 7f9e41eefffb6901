using System.Buffers.Binary;

namespace Coxswain.Kubelet.Streaming.Spdy;

/// <summary>
/// SPDY/3.1 framing over an upgraded connection: reads and writes whole frames, keeps the
/// header compression state of each direction, and answers PINGs. It knows nothing of
/// streams' meaning: the Kubernetes stream conventions live with its users.
/// Reads come from one reader at a time; writes may come from any thread.
/// <paramref name="isClient"/>: the side that dialed; it owns odd stream and ping ids.
/// </summary>
internal sealed class SpdyConnection(Stream transport, bool isClient) : IAsyncDisposable
{
    private const byte Version = 3;
    private const int MaxFrame = 1 << 24;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SpdyHeaderWriter _headerWriter = new();
    private readonly SpdyHeaderReader _headerReader = new();
    private readonly byte[] _head = new byte[8];

    /// <summary>The next frame other than the peer's PINGs (answered here), or null when the peer closed the connection.</summary>
    public async Task<SpdyFrame?> ReadFrameAsync(CancellationToken ct)
    {
        while (true)
        {
            if (!await ReadExactlyOrEndAsync(_head, ct))
            {
                return null;
            }
            var length = (_head[5] << 16) | (_head[6] << 8) | _head[7];
            var flags = _head[4];
            var payload = new byte[length];
            await transport.ReadExactlyAsync(payload, ct);
            if ((_head[0] & 0x80) == 0)
            {
                var streamId = BinaryPrimitives.ReadInt32BigEndian(_head) & 0x7fffffff;
                return SpdyFrame.DataFrame(streamId, payload, (flags & SpdyFrame.FlagFin) != 0);
            }
            var type = (SpdyFrameType)BinaryPrimitives.ReadUInt16BigEndian(_head.AsSpan(2));
            var frame = DecodeControl(type, flags, payload);
            if (frame.Type == SpdyFrameType.Ping && (frame.Value % 2 == 1) != isClient)
            {
                await WriteFrameAsync(frame, ct);
                continue;
            }
            return frame;
        }
    }

    private SpdyFrame DecodeControl(SpdyFrameType type, byte flags, byte[] payload)
    {
        int Int(int at) => payload.Length >= at + 4
            ? BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(at)) & 0x7fffffff
            : throw new InvalidDataException($"SPDY {type} frame too short");
        return type switch
        {
            // Stream id, associated stream id, priority and slot, then the header block.
            SpdyFrameType.SynStream => new(type, Int(0), flags) { Headers = _headerReader.Decode(payload.AsSpan(10)) },
            SpdyFrameType.SynReply or SpdyFrameType.Headers => new(type, Int(0), flags) { Headers = _headerReader.Decode(payload.AsSpan(4)) },
            SpdyFrameType.RstStream or SpdyFrameType.WindowUpdate => new(type, Int(0), flags) { Value = Int(4) },
            SpdyFrameType.GoAway => new(type, Int(0), flags) { Value = Int(4) },
            SpdyFrameType.Ping => new(type, 0, flags) { Value = Int(0) },
            _ => new(type, 0, flags) { Data = payload },
        };
    }

    public async Task WriteFrameAsync(SpdyFrame frame, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            // Encoding happens under the lock: header compression state is order dependent.
            var bytes = Encode(frame);
            await transport.WriteAsync(bytes, ct);
            await transport.FlushAsync(ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private byte[] Encode(SpdyFrame frame)
    {
        byte[] payload;
        switch (frame.Type)
        {
            case SpdyFrameType.Data:
                return Frame(frame.Data.Span, frame.Flags, head => BinaryPrimitives.WriteInt32BigEndian(head, frame.StreamId & 0x7fffffff));
            case SpdyFrameType.SynStream:
                var block = _headerWriter.Encode(frame.Headers);
                payload = new byte[10 + block.Length];
                BinaryPrimitives.WriteInt32BigEndian(payload, frame.StreamId);
                block.CopyTo(payload, 10);
                break;
            case SpdyFrameType.SynReply or SpdyFrameType.Headers:
                var reply = _headerWriter.Encode(frame.Headers);
                payload = new byte[4 + reply.Length];
                BinaryPrimitives.WriteInt32BigEndian(payload, frame.StreamId);
                reply.CopyTo(payload, 4);
                break;
            case SpdyFrameType.RstStream or SpdyFrameType.WindowUpdate or SpdyFrameType.GoAway:
                payload = new byte[8];
                BinaryPrimitives.WriteInt32BigEndian(payload, frame.StreamId);
                BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), frame.Value);
                break;
            case SpdyFrameType.Ping:
                payload = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(payload, frame.Value);
                break;
            default:
                payload = frame.Data.ToArray();
                break;
        }
        return Frame(payload, frame.Flags, head =>
        {
            head[0] = 0x80;
            head[1] = Version;
            BinaryPrimitives.WriteUInt16BigEndian(head[2..], (ushort)frame.Type);
        });
    }

    private delegate void HeadWriter(Span<byte> head);

    private static byte[] Frame(ReadOnlySpan<byte> payload, byte flags, HeadWriter writeHead)
    {
        if (payload.Length >= MaxFrame)
        {
            throw new InvalidOperationException("SPDY frame payload too large");
        }
        var bytes = new byte[8 + payload.Length];
        writeHead(bytes);
        bytes[4] = flags;
        bytes[5] = (byte)(payload.Length >> 16);
        bytes[6] = (byte)(payload.Length >> 8);
        bytes[7] = (byte)payload.Length;
        payload.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await transport.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                return read == 0 ? false : throw new EndOfStreamException("SPDY connection ended inside a frame");
            }
            read += n;
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await transport.DisposeAsync();
        _writeLock.Dispose();
    }
}
