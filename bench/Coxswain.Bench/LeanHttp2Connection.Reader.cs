using System.Buffers.Binary;
using System.Text;

namespace Coxswain.Bench;

/// <summary>The reading half of <see cref="LeanHttp2Connection"/>: one loop that parses the server's frames.</summary>
internal sealed partial class LeanHttp2Connection
{
    private async Task ReadLoopAsync()
    {
        var end = 0;
        try
        {
            while (true)
            {
                var read = await _ssl.ReadAsync(_readBuffer.AsMemory(end));
                if (read == 0)
                {
                    throw new IOException($"{_authority} closed the connection");
                }
                end += read;
                lock (_lock)
                {
                    _readerBatch = true;
                }
                var start = 0;
                try
                {
                    start = HandleFrames(end);
                }
                finally
                {
                    bool flush;
                    lock (_lock)
                    {
                        _readerBatch = false;
                        flush = StartFlush();
                    }
                    if (flush)
                    {
                        _ = FlushAsync(); // not awaited: the reader must keep reading while a write waits
                    }
                }
                _readBuffer.AsSpan(start, end - start).CopyTo(_readBuffer);
                end -= start;
            }
        }
        catch (Exception e)
        {
            Fail(e is IOException or InvalidDataException ? e : new IOException($"HTTP/2 connection to {_authority} failed: {e.Message}", e));
        }
    }

    /// <summary>Handles the complete frames in the read buffer; returns where the incomplete rest starts.</summary>
    private int HandleFrames(int end)
    {
        var at = 0;
        while (end - at >= FrameHeader)
        {
            var header = _readBuffer.AsSpan(at, FrameHeader);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            if (length > MaxFrameSize)
            {
                throw new InvalidDataException($"HTTP/2: frame of {length} bytes above our maximum of {MaxFrameSize}");
            }
            if (end - at < FrameHeader + length)
            {
                break;
            }
            var type = header[3];
            var flags = header[4];
            var streamId = BinaryPrimitives.ReadInt32BigEndian(header[5..]) & 0x7fffffff;
            var payload = _readBuffer.AsSpan(at + FrameHeader, length);
            at += FrameHeader + length;
            if (_continuationStream != 0 && (type != ContinuationFrame || streamId != _continuationStream))
            {
                throw new InvalidDataException("HTTP/2: expected a CONTINUATION frame");
            }
            switch (type)
            {
                case DataFrame:
                    OnData(streamId, flags, payload);
                    break;
                case HeadersFrame:
                    OnHeaders(streamId, flags, payload);
                    break;
                case ContinuationFrame:
                    if (_continuationStream == 0)
                    {
                        throw new InvalidDataException("HTTP/2: CONTINUATION without HEADERS before it");
                    }
                    AppendHeaderBlock(payload);
                    if ((flags & EndHeadersFlag) != 0)
                    {
                        _continuationStream = 0;
                        OnHeaderBlock(streamId, _headerBlock.AsSpan(0, _headerBlockLength), _continuationEndStream);
                    }
                    break;
                case RstStreamFrame:
                    var code = BinaryPrimitives.ReadUInt32BigEndian(payload);
                    FailStream(streamId, new IOException($"{_authority} reset stream {streamId} ({ErrorName(code)})"));
                    break;
                case SettingsFrame:
                    OnSettings(flags, payload);
                    break;
                case PingFrame:
                    if ((flags & AckFlag) == 0)
                    {
                        lock (_lock)
                        {
                            AppendFrame(PingFrame, AckFlag, 0, payload);
                        }
                    }
                    break;
                case GoAwayFrame:
                    OnGoAway(payload);
                    break;
                case WindowUpdateFrame:
                    OnWindowUpdate(streamId, BinaryPrimitives.ReadInt32BigEndian(payload) & 0x7fffffff);
                    break;
                case PushPromiseFrame:
                    throw new InvalidDataException("HTTP/2: PUSH_PROMISE although push is disabled");
            }
        }
        return at;
    }

    /// <summary>The frame's payload without its padding (and priority fields).</summary>
    private static ReadOnlySpan<byte> Unpad(ReadOnlySpan<byte> payload, byte flags, bool priority)
    {
        var padding = 0;
        if ((flags & PaddedFlag) != 0)
        {
            padding = payload[0];
            payload = payload[1..];
        }
        if (priority)
        {
            payload = payload[5..];
        }
        if (padding > payload.Length)
        {
            throw new InvalidDataException("HTTP/2: padding longer than the frame");
        }
        return payload[..^padding];
    }

    private void OnData(int streamId, byte flags, ReadOnlySpan<byte> payload)
    {
        var data = Unpad(payload, flags, priority: false);
        var endStream = (flags & EndStreamFlag) != 0;
        H2Stream? s;
        lock (_lock)
        {
            // Flow control counts the whole payload, padding included, for closed streams too.
            _receivedUnacked += payload.Length;
            if (_receivedUnacked >= ConnectionWindow / 2)
            {
                AppendWindowUpdate(0, _receivedUnacked);
                _receivedUnacked = 0;
            }
            if (_streams.TryGetValue(streamId, out s) && !endStream)
            {
                s.ReceivedUnacked += payload.Length;
                if (s.ReceivedUnacked >= StreamWindow / 2)
                {
                    AppendWindowUpdate(streamId, s.ReceivedUnacked);
                    s.ReceivedUnacked = 0;
                }
            }
        }
        if (s == null)
        {
            return;
        }
        if (s.Status == 0)
        {
            FailStream(streamId, new InvalidDataException($"HTTP/2: DATA before HEADERS on stream {streamId}"));
            return;
        }
        s.Append(data);
        if (endStream)
        {
            Complete(s, null);
        }
    }

    private void AppendRstStream(int streamId, uint code)
    {
        var dest = Reserve(FrameHeader + 4);
        WriteFrameHeader(dest, 4, RstStreamFrame, 0, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(dest[FrameHeader..], code);
    }

    private void AppendWindowUpdate(int streamId, int increment)
    {
        var dest = Reserve(FrameHeader + 4);
        WriteFrameHeader(dest, 4, WindowUpdateFrame, 0, streamId);
        BinaryPrimitives.WriteInt32BigEndian(dest[FrameHeader..], increment);
    }

    private void OnHeaders(int streamId, byte flags, ReadOnlySpan<byte> payload)
    {
        var fragment = Unpad(payload, flags, priority: (flags & PriorityFlag) != 0);
        var endStream = (flags & EndStreamFlag) != 0;
        if ((flags & EndHeadersFlag) != 0)
        {
            OnHeaderBlock(streamId, fragment, endStream);
            return;
        }
        _headerBlockLength = 0;
        AppendHeaderBlock(fragment);
        _continuationStream = streamId;
        _continuationEndStream = endStream;
    }

    private void AppendHeaderBlock(ReadOnlySpan<byte> fragment)
    {
        if (_headerBlock.Length < _headerBlockLength + fragment.Length)
        {
            Array.Resize(ref _headerBlock, (_headerBlockLength + fragment.Length) * 2);
        }
        fragment.CopyTo(_headerBlock.AsSpan(_headerBlockLength));
        _headerBlockLength += fragment.Length;
    }

    private void OnHeaderBlock(int streamId, ReadOnlySpan<byte> block, bool endStream)
    {
        var status = _decoder.Decode(block); // always, to keep the dynamic table in step
        H2Stream? s;
        lock (_lock)
        {
            _streams.TryGetValue(streamId, out s);
        }
        if (s == null)
        {
            return;
        }
        if (s.Status == 0)
        {
            if (status is >= 100 and < 200 && !endStream)
            {
                return; // an informational answer; the real one follows
            }
            if (status < 200)
            {
                FailStream(streamId, new InvalidDataException($"HTTP/2: answer on stream {streamId} without a valid :status"));
                return;
            }
            s.Status = status;
        }
        if (endStream)
        {
            Complete(s, null);
        }
    }

    private void OnSettings(byte flags, ReadOnlySpan<byte> payload)
    {
        if ((flags & AckFlag) != 0)
        {
            return;
        }
        lock (_lock)
        {
            var maxStreams = _settled.Task.IsCompleted ? _maxStreams : Unlimited;
            for (var i = 0; i + 6 <= payload.Length; i += 6)
            {
                var id = BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
                var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
                switch (id)
                {
                    case 0x3: // SETTINGS_MAX_CONCURRENT_STREAMS
                        maxStreams = (int)Math.Min(value, Unlimited);
                        break;
                    case 0x4: // SETTINGS_INITIAL_WINDOW_SIZE: applies to open streams as a difference
                        if (value > int.MaxValue)
                        {
                            throw new InvalidDataException("HTTP/2: SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1");
                        }
                        var delta = (int)value - _peerStreamWindow;
                        _peerStreamWindow = (int)value;
                        foreach (var s in _streams.Values)
                        {
                            s.SendWindow += delta;
                        }
                        WindowGrew();
                        break;
                    case 0x5: // SETTINGS_MAX_FRAME_SIZE
                        _peerMaxFrameSize = (int)Math.Clamp(value, 16384, 16777215);
                        break;
                }
            }
            SetMaxStreams(maxStreams);
            AppendFrame(SettingsFrame, AckFlag, 0, []);
        }
        _settled.TrySetResult();
    }

    private void OnWindowUpdate(int streamId, int increment)
    {
        lock (_lock)
        {
            if (streamId == 0)
            {
                _sendWindow += increment;
            }
            else if (_streams.TryGetValue(streamId, out var s))
            {
                s.SendWindow += increment;
            }
            WindowGrew();
        }
    }

    /// <summary>Wakes the callers waiting for a send window (under the lock).</summary>
    private void WindowGrew()
    {
        _windowGrew?.TrySetResult();
        _windowGrew = null;
    }

    /// <summary>GOAWAY: streams above the last one the server will handle fail now, new requests at once.</summary>
    private void OnGoAway(ReadOnlySpan<byte> payload)
    {
        var last = BinaryPrimitives.ReadInt32BigEndian(payload) & 0x7fffffff;
        var code = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        var debug = Encoding.UTF8.GetString(payload[8..]);
        var error = new IOException($"{_authority} sent GOAWAY ({ErrorName(code)}{(debug.Length > 0 ? ": " + debug : "")}): the connection takes no new streams" +
            (last < int.MaxValue ? $"; streams above {last} were not handled" : ""));
        var failed = new List<H2Stream>();
        lock (_lock)
        {
            _failure ??= error;
            foreach (var s in _streams.Values)
            {
                if (s.Id > last)
                {
                    failed.Add(s);
                }
            }
        }
        foreach (var s in failed)
        {
            FailStream(s.Id, error);
        }
    }

    private void FailStream(int streamId, Exception error)
    {
        H2Stream? s;
        lock (_lock)
        {
            _streams.TryGetValue(streamId, out s);
        }
        if (s != null)
        {
            Complete(s, error);
        }
    }

    /// <summary>Ends the stream's request: removes it, then completes its caller (who may send the next request at once).</summary>
    private void Complete(H2Stream s, Exception? error)
    {
        lock (_lock)
        {
            if (!_streams.Remove(s.Id))
            {
                return;
            }
            s.Completed = true;
            s.Failed = error != null;
            WindowGrew(); // a sender waiting for window to send the rest of the body must see this
        }
        s.Finish(error);
    }

    /// <summary>Fails the connection: every open stream, every waiting sender, every later request.</summary>
    private void Fail(Exception error)
    {
        H2Stream[] open;
        lock (_lock)
        {
            if (!_dead)
            {
                _dead = true;
                _slots.Release(Unlimited); // nobody may wait for a slot on a dead connection
            }
            if (_failure != null && _failure != error && error is not ObjectDisposedException)
            {
                error = new IOException($"{error.Message} (after: {_failure.Message})", error);
            }
            _failure ??= error;
            open = [.. _streams.Values];
            _windowGrew?.TrySetException(error);
            _windowGrew = null;
        }
        _settled.TrySetException(error);
        foreach (var s in open)
        {
            Complete(s, error);
        }
    }
}
