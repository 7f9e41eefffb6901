using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Storage.Sqlite;

/// <summary>
/// <see cref="IStore"/> on one SQLite file (WAL, synchronous=FULL: an acknowledged write survives a crash).
/// Writes go through a single group-committing writer (<see cref="SqliteWriter"/>); reads of a key's latest value are
/// answered from memory (<see cref="CurrentValues"/>), other reads use a pool of
/// read-only connections; watches are fed in memory by the writer after each commit and catch up from the log.
/// Only one store may have a file open at a time (a lock file next to it enforces that).
/// </summary>
public sealed class SqliteStore : IStore, IWatchHistory
{
    private readonly SqliteStoreOptions _options;
    private readonly ILogger _logger;
    private readonly FileStream _lockFile;
    private readonly SqliteWriter _writer;
    private readonly WalCheckpointer _checkpointer;
    private readonly ReadConnectionPool _readers;
    private readonly WatchBroadcaster _broadcaster;
    private readonly CurrentValues _currentValues;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _periodicCompaction;
    private int _disposed;

    private SqliteStore(
        SqliteStoreOptions options,
        ILogger logger,
        FileStream lockFile,
        SqliteWriter writer,
        WalCheckpointer checkpointer,
        ReadConnectionPool readers,
        WatchBroadcaster broadcaster,
        CurrentValues currentValues)
    {
        _currentValues = currentValues;
        _checkpointer = checkpointer;
        _options = options;
        _logger = logger;
        _lockFile = lockFile;
        _writer = writer;
        _readers = readers;
        _broadcaster = broadcaster;
        TimeSpan interval = options.CompactionInterval;
        _periodicCompaction = interval > TimeSpan.Zero && interval != Timeout.InfiniteTimeSpan
            ? CompactPeriodicallyAsync(interval)
            : Task.CompletedTask;
    }

    public long CurrentRevision => _broadcaster.Revision;

    public long CompactedRevision => _writer.CompactedRevision;

    /// <summary>Opens (or creates) the store in <see cref="SqliteStoreOptions.Path"/>.</summary>
    /// <exception cref="StoreException">The file is open in another store, or has an unknown schema.</exception>
    public static Task<SqliteStore> OpenAsync(SqliteStoreOptions options, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Path);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WatchBufferCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.CompactionRetainRevisions);
        ct.ThrowIfCancellationRequested();
        logger ??= NullLogger.Instance;

        string path = Path.GetFullPath(options.Path);
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        FileStream lockFile;
        try
        {
            lockFile = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new StoreException($"'{path}' is already open in another store", ex);
        }

        Microsoft.Data.Sqlite.SqliteConnection? db = null;
        ReadConnectionPool? readers = null;
        WalCheckpointer? checkpointer = null;
        try
        {
            db = SqliteSchema.OpenWriter(path);
            (long revision, long compacted) = SqliteSchema.ReadMeta(db);
            readers = new ReadConnectionPool(path, options.ReadConnections);
            checkpointer = new WalCheckpointer(path, logger);
            var broadcaster = new WatchBroadcaster(revision);
            var currentValues = CurrentValues.Load(db);
            var writer = new SqliteWriter(db, revision, compacted, broadcaster, currentValues, checkpointer, options, logger);
            SqliteStoreLog.Opened(logger, path, revision, compacted);
            return Task.FromResult(new SqliteStore(options with { Path = path }, logger, lockFile, writer, checkpointer, readers, broadcaster, currentValues));
        }
        catch
        {
            checkpointer?.Dispose();
            readers?.Dispose();
            db?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    public Task<KeyValue?> GetAsync(string key, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ThrowIfDisposed();
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(_currentValues.Get(key));
    }

    public Task<ListResult> ListAsync(string prefix, long revision = 0, string? startKey = null, int limit = 0, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ThrowIfDisposed();
        ct.ThrowIfCancellationRequested();
        if (!_readers.TryRent(out ReadConnection c))
        {
            return ListSlowAsync(prefix, revision, startKey, limit, ct);
        }

        try
        {
            return Task.FromResult(c.List(prefix, revision, startKey, limit));
        }
        catch (Exception ex)
        {
            return Task.FromException<ListResult>(ex);
        }
        finally
        {
            _readers.Return(c);
        }
    }

    public async Task<long> CountAsync(string prefix, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ThrowIfDisposed();
        ReadConnection c = await _readers.RentAsync(ct).ConfigureAwait(false);
        try
        {
            return c.Count(prefix);
        }
        finally
        {
            _readers.Return(c);
        }
    }

    public Task<KeyValue> CreateAsync(string key, byte[] value, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        return Enqueue(new WriteOp(WriteKind.Create, key, value, 0), ct);
    }

    public Task<KeyValue> UpdateAsync(string key, byte[] value, long expectedModRevision, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedModRevision);
        return Enqueue(new WriteOp(WriteKind.Update, key, value, expectedModRevision), ct);
    }

    public Task<KeyValue> DeleteAsync(string key, long expectedModRevision = 0, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedModRevision);
        return Enqueue(new WriteOp(WriteKind.Delete, key, null, expectedModRevision), ct);
    }

    public IStoreWatch Watch(string prefix, long fromRevision, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        ThrowIfDisposed();
        long compacted = CompactedRevision;
        if (fromRevision != 0 && fromRevision < compacted)
        {
            throw new CompactedException(compacted, fromRevision);
        }

        return StoreWatcher.Start(prefix, fromRevision, _options.WatchBufferCapacity, _broadcaster, this, () => CompactedRevision, ct);
    }

    public Task CompactAsync(long revision, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        ThrowIfDisposed();
        ct.ThrowIfCancellationRequested();
        long current = CurrentRevision;
        if (revision > current)
        {
            throw new FutureRevisionException(revision, current);
        }

        return revision <= CompactedRevision ? Task.CompletedTask : _writer.CompactAsync(revision).WaitAsync(ct);
    }

    async Task IWatchHistory.ReadHistoryAsync(string prefix, long after, long upTo, int max, List<StoreEvent> into, CancellationToken ct)
    {
        ThrowIfDisposed();
        ReadConnection c = await _readers.RentAsync(ct).ConfigureAwait(false);
        try
        {
            c.ReadHistory(prefix, after, upTo, max, into);
        }
        finally
        {
            _readers.Return(c);
        }
    }

    /// <summary>Finishes queued writes, ends all watches, and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _shutdown.Cancel();
        await _periodicCompaction.ConfigureAwait(false);
        _writer.Dispose();
        _broadcaster.Close();
        await _readers.CloseAsync().ConfigureAwait(false);
        _checkpointer.Dispose();
        _writer.CloseConnection(); // the last connection to close checkpoints the WAL into the file and removes it
        _lockFile.Dispose();
        _shutdown.Dispose();
    }

    private Task<KeyValue> Enqueue(WriteOp op, CancellationToken ct)
    {
        ThrowIfDisposed();
        ct.ThrowIfCancellationRequested();
        _writer.Enqueue(op); // once queued a write runs: like a request already sent to etcd, it cannot be taken back
        return op.Task;
    }

    private async Task<ListResult> ListSlowAsync(string prefix, long revision, string? startKey, int limit, CancellationToken ct)
    {
        ReadConnection c = await _readers.RentAsync(ct).ConfigureAwait(false);
        try
        {
            return c.List(prefix, revision, startKey, limit);
        }
        finally
        {
            _readers.Return(c);
        }
    }

    /// <summary>
    /// Like kube-apiserver: every interval, compact to the revision seen one interval earlier, keeping at least
    /// <see cref="SqliteStoreOptions.CompactionRetainRevisions"/> revisions.
    /// </summary>
    private async Task CompactPeriodicallyAsync(TimeSpan interval)
    {
        await Task.Yield();
        CancellationToken ct = _shutdown.Token;
        using var timer = new PeriodicTimer(interval);
        long seenLastTick = CurrentRevision;
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                long current = CurrentRevision;
                long target = Math.Min(seenLastTick, current - _options.CompactionRetainRevisions);
                seenLastTick = current;
                if (target <= CompactedRevision)
                {
                    continue;
                }

                try
                {
                    await _writer.CompactAsync(target).WaitAsync(ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    SqliteStoreLog.PeriodicCompactionFailed(_logger, target, ex);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
