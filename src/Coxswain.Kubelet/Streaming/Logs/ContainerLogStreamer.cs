using System.Text;

namespace Coxswain.Kubelet.Streaming.Logs;

/// <summary>
/// Serves a CRI log file the way upstream's kubelet does: partial (P) chunks joined into one
/// line, optional timestamp prefix, since filter, last N lines, byte limit, and follow, which
/// tails the file (on to the new one when log rotation renames it away) until the container has
/// stopped and the file stopped growing, or the client left.
/// </summary>
internal sealed class ContainerLogStreamer(TimeSpan pollInterval)
{
    public static readonly ContainerLogStreamer Default = new(TimeSpan.FromMilliseconds(200));

    /// <summary>A joined log line: the time of its first chunk and its text with the newline (none if it never ended).</summary>
    private readonly record struct Entry(DateTimeOffset Time, int Nanoseconds, byte[] Text);

    public async Task StreamAsync(string path, LogOptions options, Stream output, Func<CancellationToken, Task<bool>> isRunning, CancellationToken ct)
    {
        await using var reader = new RotatingReader(path);
        await StreamAsync(reader, options, output, isRunning, ct);
    }

    private async Task StreamAsync(RotatingReader reader, LogOptions options, Stream output, Func<CancellationToken, Task<bool>> isRunning, CancellationToken ct)
    {
        var joiner = new Joiner();
        var limit = new ByteLimit(options.LimitBytes);

        // What the file holds now: with tailLines only its last lines count.
        var backlog = new Queue<Entry>();
        foreach (var entry in ReadAvailable(reader.Lines, joiner, options))
        {
            backlog.Enqueue(entry);
            if (options.TailLines is { } tail && backlog.Count > tail)
            {
                backlog.Dequeue();
            }
        }
        if (!options.Follow)
        {
            if (joiner.Flush() is { } unterminated && Keep(unterminated, options))
            {
                backlog.Enqueue(unterminated);
                if (options.TailLines is { } tail && backlog.Count > tail)
                {
                    backlog.Dequeue();
                }
            }
        }
        if (!await WriteAsync(backlog, output, options, limit, ct) || !options.Follow)
        {
            return;
        }

        while (!ct.IsCancellationRequested)
        {
            var running = await isRunning(ct);
            var fresh = ReadAvailable(reader.Lines, joiner, options).ToList();
            if (fresh.Count > 0)
            {
                if (!await WriteAsync(fresh, output, options, limit, ct))
                {
                    return;
                }
                continue;
            }
            if (!running)
            {
                // Stopped, and nothing was added since the check: the log is complete.
                if (joiner.Flush() is { } last && Keep(last, options))
                {
                    await WriteAsync([last], output, options, limit, ct);
                }
                return;
            }
            if (reader.RotatedAndRefilled())
            {
                // The runtime writes to the new file now, so all it wrote to the old one is there: finish it first.
                var rest = ReadAvailable(reader.Lines, joiner, options).ToList();
                if (rest.Count > 0 && !await WriteAsync(rest, output, options, limit, ct))
                {
                    return;
                }
                await reader.SwitchAsync();
                continue;
            }
            await Task.Delay(pollInterval, ct);
        }
    }

    /// <summary>The log file being read; rotation renames it away, and the runtime's new file at the same path is read next.</summary>
    private sealed class RotatingReader : IAsyncDisposable
    {
        private readonly string _path;
        private FileStream _file;

        public RotatingReader(string path)
        {
            _path = path;
            _file = Open(path);
            Lines = new LineReader(_file);
        }

        public LineReader Lines { get; private set; }

        private static FileStream Open(string path) =>
            new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);

        /// <summary>The open file was renamed away and the runtime has written to a new one at the path.</summary>
        public bool RotatedAndRefilled()
        {
            // /proc shows where the open file is now: no longer at the path once renamed.
            var now = new FileInfo($"/proc/self/fd/{_file.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
            return now != null && now != Path.GetFullPath(_path) && new FileInfo(_path) is { Exists: true, Length: > 0 };
        }

        public async Task SwitchAsync()
        {
            var next = Open(_path);
            await _file.DisposeAsync();
            _file = next;
            Lines = new LineReader(_file);
        }

        public ValueTask DisposeAsync() => _file.DisposeAsync();
    }

    private static IEnumerable<Entry> ReadAvailable(LineReader lines, Joiner joiner, LogOptions options)
    {
        while (lines.TryReadLine(out var line))
        {
            if (!CriLogLine.TryParse(line, out var parsed))
            {
                continue;
            }
            if (joiner.Add(parsed) is { } entry && Keep(entry, options))
            {
                yield return entry;
            }
        }
    }

    private static bool Keep(Entry entry, LogOptions options) => options.Since is not { } since || entry.Time >= since;

    private static async Task<bool> WriteAsync(IEnumerable<Entry> entries, Stream output, LogOptions options, ByteLimit limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        foreach (var entry in entries)
        {
            if (options.Timestamps)
            {
                buffer.Write(Encoding.ASCII.GetBytes(CriLogLine.FormatTimestamp(entry.Time, entry.Nanoseconds) + " "));
            }
            buffer.Write(entry.Text);
        }
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        var allowed = limit.Take(bytes.Length);
        if (allowed > 0)
        {
            await output.WriteAsync(bytes[..allowed], ct);
            await output.FlushAsync(ct);
        }
        return !limit.Reached;
    }

    /// <summary>Joins P chunks with the F line that ends them.</summary>
    private sealed class Joiner
    {
        private readonly MemoryStream _pending = new();
        private DateTimeOffset? _start;
        private int _startNanoseconds;

        public Entry? Add(CriLogLine line)
        {
            if (_start == null)
            {
                _start = line.Time;
                _startNanoseconds = line.Nanoseconds;
            }
            _pending.Write(line.Content.Span);
            if (line.Partial)
            {
                return null;
            }
            _pending.WriteByte((byte)'\n');
            return Take();
        }

        /// <summary>A line that was never finished (the container stopped mid-line).</summary>
        public Entry? Flush() => _start == null ? null : Take();

        private Entry Take()
        {
            var entry = new Entry(_start!.Value, _startNanoseconds, _pending.ToArray());
            _pending.SetLength(0);
            _start = null;
            return entry;
        }
    }

    private sealed class ByteLimit(long? limit)
    {
        private long _written;

        public bool Reached => limit is { } max && _written >= max;

        public int Take(int wanted)
        {
            var allowed = limit is { } max ? (int)Math.Min(wanted, Math.Max(0, max - _written)) : wanted;
            _written += allowed;
            return allowed;
        }
    }

    /// <summary>Newline-terminated lines of a file that may still grow; an unterminated tail waits for more.</summary>
    private sealed class LineReader(FileStream file)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public bool TryReadLine(out ReadOnlyMemory<byte> line)
        {
            while (true)
            {
                var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    line = _buffer.AsMemory(_start, newline).ToArray();
                    _start += newline + 1;
                    return true;
                }
                if (!Fill())
                {
                    line = default;
                    return false;
                }
            }
        }

        private bool Fill()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            var n = file.Read(_buffer, _end, _buffer.Length - _end);
            _end += n;
            return n > 0;
        }
    }
}
