using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Coxswain.Bench;

/// <summary>
/// One HTTP/2 connection over TLS carrying many concurrent streams, written for the load driver as
/// <see cref="LeanConnection"/> is for HTTP/1.1: HttpClient's HTTP/2 costs about as much CPU per request
/// as the server does. Callers take a <see cref="H2Stream"/> each (<see cref="NewStream"/>) and send one
/// request at a time on it. Frames of concurrent callers are appended to one buffer under a lock and
/// written together; one reader loop parses the answers and completes the streams. While it handles what
/// one read brought, it completes the streams inline and holds back writes, so that the requests their
/// callers send next leave in one TLS write once the batch is done.
/// </summary>
internal sealed partial class LeanHttp2Connection : IRequester
{
    private const byte DataFrame = 0, HeadersFrame = 1, RstStreamFrame = 3, SettingsFrame = 4, PushPromiseFrame = 5;
    private const byte PingFrame = 6, GoAwayFrame = 7, WindowUpdateFrame = 8, ContinuationFrame = 9;
    private const byte EndStreamFlag = 0x1, AckFlag = 0x1, EndHeadersFlag = 0x4, PaddedFlag = 0x8, PriorityFlag = 0x20;
    private const int FrameHeader = 9;
    private const int MaxFrameSize = 16384; // what we accept (the default; not raised)
    private const int StreamWindow = 4 << 20; // our receive window per stream (SETTINGS_INITIAL_WINDOW_SIZE)
    private const int ConnectionWindow = 16 << 20; // our receive window for the connection
    private const int HeaderTableSize = 4096; // the default SETTINGS_HEADER_TABLE_SIZE
    private const int Unlimited = 1 << 20;
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private readonly TcpClient _tcp;
    private readonly SslStream _ssl;
    private readonly string _authority;
    private readonly byte[] _pseudoHeaders; // :scheme https, :authority
    private readonly byte[] _commonHeaders; // authorization, accept
    private readonly HpackDecoder _decoder = new(HeaderTableSize);
    private readonly SemaphoreSlim _slots = new(0);
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reader = Task.CompletedTask;

    // Everything below is guarded by _lock (the reader's own parsing state excepted).
    private readonly object _lock = new();
    private readonly Dictionary<int, H2Stream> _streams = [];
    private byte[] _pending = new byte[64 * 1024];
    private byte[] _writing = new byte[64 * 1024];
    private int _pendingLength;
    private bool _flushing;
    private bool _readerBatch;
    private int _nextStreamId = 1;
    private int _maxStreams;
    private int _slotDebt;
    private int _peerMaxFrameSize = 16384;
    private int _peerStreamWindow = 65535;
    private long _sendWindow = 65535;
    private TaskCompletionSource? _windowGrew;
    private int _receivedUnacked;
    private Exception? _failure;
    private bool _dead;

    // The reader's state.
    private byte[] _readBuffer = new byte[64 * 1024 + FrameHeader + MaxFrameSize];
    private byte[] _headerBlock = new byte[4096];
    private int _headerBlockLength;
    private int _continuationStream;
    private bool _continuationEndStream;

    private LeanHttp2Connection(TcpClient tcp, SslStream ssl, string authority, string token)
    {
        _tcp = tcp;
        _ssl = ssl;
        _authority = authority;
        var buffer = new byte[Hpack.LiteralSize(authority.Length) + 1];
        buffer[0] = 0x80 | Hpack.SchemeHttps;
        _pseudoHeaders = buffer[..(1 + Hpack.WriteLiteral(buffer.AsSpan(1), Hpack.Authority, authority))];
        var authorization = "Bearer " + token;
        buffer = new byte[Hpack.LiteralSize(authorization.Length) + Hpack.LiteralSize(16)];
        var at = Hpack.WriteLiteral(buffer, Hpack.Authorization, authorization);
        at += Hpack.WriteLiteral(buffer.AsSpan(at), Hpack.Accept, "application/json");
        _commonHeaders = buffer[..at];
    }

    public static async Task<LeanHttp2Connection> OpenAsync(Uri server, string token, RemoteCertificateValidationCallback validate)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.Host, server.Port);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, validate);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = server.Host,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        });
        if (ssl.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            await ssl.DisposeAsync();
            tcp.Dispose();
            throw new IOException($"{server.Authority} did not agree to HTTP/2 (ALPN h2)");
        }
        var connection = new LeanHttp2Connection(tcp, ssl, server.Authority, token);
        try
        {
            await connection.StartAsync();
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return connection;
    }

    /// <summary>Sends the preface, our SETTINGS and a larger connection window; waits for the server's SETTINGS.</summary>
    private async Task StartAsync()
    {
        var raise = ConnectionWindow - 65535; // the initial connection window is fixed; a WINDOW_UPDATE raises it
        var start = new byte[Preface.Length + FrameHeader + 12 + (raise > 0 ? FrameHeader + 4 : 0)];
        Preface.CopyTo(start, 0);
        var at = Preface.Length;
        WriteFrameHeader(start.AsSpan(at), 12, SettingsFrame, 0, 0);
        at += FrameHeader;
        WriteSetting(start.AsSpan(at), 0x2, 0); // SETTINGS_ENABLE_PUSH
        WriteSetting(start.AsSpan(at + 6), 0x4, StreamWindow); // SETTINGS_INITIAL_WINDOW_SIZE
        at += 12;
        if (raise > 0)
        {
            WriteFrameHeader(start.AsSpan(at), 4, WindowUpdateFrame, 0, 0);
            BinaryPrimitives.WriteInt32BigEndian(start.AsSpan(at + FrameHeader), raise);
        }
        await _ssl.WriteAsync(start);
        _reader = ReadLoopAsync();
        if (await Task.WhenAny(_settled.Task, Task.Delay(TimeSpan.FromSeconds(30))) != _settled.Task)
        {
            throw new TimeoutException($"no SETTINGS from {_authority} within 30 s");
        }
        await _settled.Task;
    }

    private static void WriteSetting(Span<byte> dest, ushort id, int value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dest, id);
        BinaryPrimitives.WriteInt32BigEndian(dest[2..], value);
    }

    private static void WriteFrameHeader(Span<byte> dest, int length, byte type, byte flags, int streamId)
    {
        dest[0] = (byte)(length >> 16);
        dest[1] = (byte)(length >> 8);
        dest[2] = (byte)length;
        dest[3] = type;
        dest[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(dest[5..], streamId);
    }

    /// <summary>A new caller of this connection, with its own stream state and buffers.</summary>
    public H2Stream NewStream() => new(this);

    /// <summary>Sends one request on a stream of its own; the body returned stays valid.</summary>
    public Task<(int Status, ReadOnlyMemory<byte> Body)> SendAsync(string method, string pathAndQuery, byte[]? body = null) =>
        NewStream().SendAsync(method, pathAndQuery, body);

    private async Task<(int, ReadOnlyMemory<byte>)> SendAsync(H2Stream s, string method, string path, byte[]? body)
    {
        await _slots.WaitAsync();
        try
        {
            s.Reset();
            var blockLength = EncodeHeaders(s, method, path, body);
            var sent = 0;
            bool flush;
            lock (_lock)
            {
                if (_failure != null)
                {
                    throw new IOException($"HTTP/2 connection to {_authority} is unusable: {_failure.Message}", _failure);
                }
                if (_nextStreamId > int.MaxValue - 2)
                {
                    throw new IOException($"HTTP/2 connection to {_authority} has used up its stream identifiers");
                }
                s.Id = _nextStreamId;
                _nextStreamId += 2;
                s.SendWindow = _peerStreamWindow;
                _streams.Add(s.Id, s);
                AppendHeaders(s.Id, s.HeaderBlock.AsSpan(0, blockLength), body == null);
                if (body != null)
                {
                    sent = AppendData(s, body, 0);
                }
                flush = StartFlush();
            }
            if (flush)
            {
                await FlushAsync();
            }
            while (body != null && sent < body.Length)
            {
                Task grew;
                lock (_lock)
                {
                    if (s.Completed)
                    {
                        // The server answered (or the stream failed) before taking the whole body: drop the rest.
                        if (!s.Failed)
                        {
                            AppendRstStream(s.Id, 0x8); // CANCEL
                        }
                        flush = StartFlush();
                        sent = body.Length;
                        grew = Task.CompletedTask;
                    }
                    else
                    {
                        sent = AppendData(s, body, sent);
                        flush = StartFlush();
                        grew = sent < body.Length ? (_windowGrew ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task : Task.CompletedTask;
                    }
                }
                if (flush)
                {
                    await FlushAsync();
                }
                await grew;
            }
            await new ValueTask(s, s.Version);
            return (s.Status, s.Body.AsMemory(0, s.BodyLength));
        }
        finally
        {
            ReleaseSlot();
        }
    }

    /// <summary>Encodes the request's header block into the stream's buffer (outside the lock).</summary>
    private int EncodeHeaders(H2Stream s, string method, string path, byte[]? body)
    {
        var needed = 16 + method.Length + _pseudoHeaders.Length + Hpack.LiteralSize(path.Length) + _commonHeaders.Length + 64;
        if (s.HeaderBlock.Length < needed)
        {
            s.HeaderBlock = new byte[needed * 2];
        }
        var block = s.HeaderBlock.AsSpan();
        var at = method switch
        {
            "GET" => WriteByte(block, 0x80 | Hpack.MethodGet),
            "POST" => WriteByte(block, 0x80 | Hpack.MethodPost),
            _ => Hpack.WriteLiteral(block, Hpack.MethodGet, method),
        };
        _pseudoHeaders.CopyTo(block[at..]);
        at += _pseudoHeaders.Length;
        at += Hpack.WriteLiteral(block[at..], Hpack.Path, path);
        _commonHeaders.CopyTo(block[at..]);
        at += _commonHeaders.Length;
        if (body != null)
        {
            at += Hpack.WriteLiteral(block[at..], Hpack.ContentType, s.ContentType);
            Span<char> digits = stackalloc char[12];
            body.Length.TryFormat(digits, out var n);
            at += Hpack.WriteLiteral(block[at..], Hpack.ContentLength, digits[..n]);
        }
        return at;
    }

    private static int WriteByte(Span<byte> dest, int value)
    {
        dest[0] = (byte)value;
        return 1;
    }

    /// <summary>Room for <paramref name="bytes"/> more in the pending buffer (under the lock).</summary>
    private Span<byte> Reserve(int bytes)
    {
        if (_pending.Length - _pendingLength < bytes)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + bytes));
        }
        var span = _pending.AsSpan(_pendingLength, bytes);
        _pendingLength += bytes;
        return span;
    }

    private void AppendFrame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var dest = Reserve(FrameHeader + payload.Length);
        WriteFrameHeader(dest, payload.Length, type, flags, streamId);
        payload.CopyTo(dest[FrameHeader..]);
    }

    /// <summary>A HEADERS frame and, if the block is longer than a frame, CONTINUATION frames.</summary>
    private void AppendHeaders(int streamId, ReadOnlySpan<byte> block, bool endStream)
    {
        var type = HeadersFrame;
        var flags = endStream ? EndStreamFlag : (byte)0;
        while (block.Length > _peerMaxFrameSize)
        {
            AppendFrame(type, flags, streamId, block[.._peerMaxFrameSize]);
            block = block[_peerMaxFrameSize..];
            (type, flags) = (ContinuationFrame, 0);
        }
        AppendFrame(type, (byte)(flags | EndHeadersFlag), streamId, block);
    }

    /// <summary>DATA frames for as much of the body as the send windows allow; returns how much is sent.</summary>
    private int AppendData(H2Stream s, byte[] body, int sent)
    {
        do
        {
            var chunk = (int)Math.Max(0, Math.Min(Math.Min(body.Length - sent, _peerMaxFrameSize), Math.Min(s.SendWindow, _sendWindow)));
            if (chunk == 0 && body.Length > 0)
            {
                return sent;
            }
            AppendFrame(DataFrame, sent + chunk == body.Length ? EndStreamFlag : (byte)0, s.Id, body.AsSpan(sent, chunk));
            sent += chunk;
            s.SendWindow -= chunk;
            _sendWindow -= chunk;
        }
        while (sent < body.Length);
        return sent;
    }

    /// <summary>Whether the caller (under the lock) should write what is pending: nobody does, and the reader holds nothing back.</summary>
    private bool StartFlush()
    {
        if (_flushing || _readerBatch || _pendingLength == 0)
        {
            return false;
        }
        _flushing = true;
        return true;
    }

    /// <summary>Writes pending frames until none are left; what callers append meanwhile goes in the next write.</summary>
    private async Task FlushAsync()
    {
        try
        {
            while (true)
            {
                int length;
                lock (_lock)
                {
                    if (_pendingLength == 0 || _failure != null)
                    {
                        _flushing = false;
                        return;
                    }
                    (_pending, _writing) = (_writing, _pending);
                    length = _pendingLength;
                    _pendingLength = 0;
                }
                await _ssl.WriteAsync(_writing.AsMemory(0, length));
            }
        }
        catch (Exception e)
        {
            lock (_lock)
            {
                _flushing = false;
            }
            Fail(new IOException($"writing to {_authority} failed: {e.Message}", e));
        }
    }

    private void ReleaseSlot()
    {
        lock (_lock)
        {
            if (_slotDebt > 0)
            {
                _slotDebt--;
                return;
            }
        }
        _slots.Release();
    }

    /// <summary>Follows the server's SETTINGS_MAX_CONCURRENT_STREAMS (under the lock).</summary>
    private void SetMaxStreams(int max)
    {
        var more = max - _maxStreams;
        _maxStreams = max;
        if (more < 0)
        {
            _slotDebt -= more;
            return;
        }
        var repaid = Math.Min(more, _slotDebt);
        _slotDebt -= repaid;
        if (more - repaid > 0)
        {
            _slots.Release(more - repaid);
        }
    }

    private static string ErrorName(uint code) => code switch
    {
        0 => "NO_ERROR", 1 => "PROTOCOL_ERROR", 2 => "INTERNAL_ERROR", 3 => "FLOW_CONTROL_ERROR", 4 => "SETTINGS_TIMEOUT",
        5 => "STREAM_CLOSED", 6 => "FRAME_SIZE_ERROR", 7 => "REFUSED_STREAM", 8 => "CANCEL", 9 => "COMPRESSION_ERROR",
        10 => "CONNECT_ERROR", 11 => "ENHANCE_YOUR_CALM", 12 => "INADEQUATE_SECURITY", 13 => "HTTP_1_1_REQUIRED",
        _ => $"error 0x{code:x}",
    };

    public async ValueTask DisposeAsync()
    {
        Fail(new ObjectDisposedException(nameof(LeanHttp2Connection)));
        try
        {
            var goAway = new byte[FrameHeader + 8]; // GOAWAY(last stream 0, NO_ERROR)
            WriteFrameHeader(goAway, 8, GoAwayFrame, 0, 0);
            await _ssl.WriteAsync(goAway);
        }
        catch (Exception)
        {
            // a write may be under way or the connection already gone; it is closed below anyway
        }
        await _ssl.DisposeAsync();
        _tcp.Dispose();
        await _reader;
    }

    /// <summary>One caller's stream state and buffers, reused from one request to the next; one request at a time.</summary>
    internal sealed class H2Stream(LeanHttp2Connection connection) : IRequester, IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _done; // completed inline by the reader (see the class summary)
        public int Id;
        public long SendWindow; // under the connection's lock
        public bool Completed; // under the connection's lock
        public bool Failed; // under the connection's lock
        public int ReceivedUnacked; // under the connection's lock
        public int Status;
        public byte[] Body = new byte[16 * 1024];
        public int BodyLength;
        public byte[] HeaderBlock = new byte[1024];

        /// <summary>When set, body bytes go here as they arrive (on the reader thread) instead of being collected: for watches.</summary>
        public Action<ReadOnlySpan<byte>>? OnBody;
        public string ContentType = "application/json";

        public short Version => _done.Version;

        /// <summary>Sends one request; the body returned is valid until the next call.</summary>
        public Task<(int Status, ReadOnlyMemory<byte> Body)> SendAsync(string method, string pathAndQuery, byte[]? body = null) =>
            connection.SendAsync(this, method, pathAndQuery, body);

        public void Reset()
        {
            _done.Reset();
            Completed = false;
            ReceivedUnacked = 0;
            Status = 0;
            BodyLength = 0;
        }

        public void Append(ReadOnlySpan<byte> data)
        {
            if (OnBody != null)
            {
                OnBody(data);
                return;
            }
            if (Body.Length - BodyLength < data.Length)
            {
                Array.Resize(ref Body, Math.Max(Body.Length * 2, BodyLength + data.Length));
            }
            data.CopyTo(Body.AsSpan(BodyLength));
            BodyLength += data.Length;
        }

        public void Finish(Exception? error)
        {
            if (error == null)
            {
                _done.SetResult(true);
            }
            else
            {
                _done.SetException(error);
            }
        }

        public void GetResult(short token) => _done.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _done.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _done.OnCompleted(continuation, state, token, flags);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the connection is disposed by its owner
    }
}
