using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Coxswain.Storage.Sqlite;

/// <summary>
/// The only writer. A dedicated thread takes every queued write, applies each one in a single transaction (each with its
/// own precondition check), commits once (one fsync for the whole group), then publishes the events in revision order and
/// completes the callers' tasks. Compaction runs on the same thread in chunks between write groups, so it never holds the
/// write lock for long.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    /// <summary>
    /// A WAL restart waits (busy_timeout, 50 ms) for readers of old snapshots; under steady reads it may fail, so it is
    /// tried at most this often rather than before every write group.
    /// </summary>
    private static readonly TimeSpan WalRestartPause = TimeSpan.FromSeconds(1);

    private readonly SqliteConnection _db;
    private readonly WatchBroadcaster _broadcaster;
    private readonly CurrentValues _currentValues;
    private readonly WalCheckpointer _checkpointer;
    private readonly ILogger _logger;
    private readonly long _compactionChunk;
    private readonly long _maxWalFrames;
    private long _lastWalRestart;
    private readonly object _gate = new();
    private readonly Queue<CompactRequest> _compactions = new();
    private readonly List<StoreEvent> _events = [];
    private readonly Thread _thread;
    private List<WriteOp> _queue = [];
    private List<WriteOp> _batch = [];
    private readonly List<WriteOp> _single = new(1);
    private bool _closed;
    private long _revision;
    private long _compacted;

    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _restartWal;
    private readonly SqliteCommand _current;
    private readonly SqliteCommand _insertLog;
    private readonly SqliteCommand _insertCurrent;
    private readonly SqliteCommand _updateCurrent;
    private readonly SqliteCommand _deleteCurrent;
    private readonly SqliteCommand _setRevision;
    private readonly SqliteCommand _compactSuperseded;
    private readonly SqliteCommand _compactDeleted;
    private readonly SqliteCommand _setCompacted;

    public SqliteWriter(
        SqliteConnection db,
        long revision,
        long compacted,
        WatchBroadcaster broadcaster,
        CurrentValues currentValues,
        WalCheckpointer checkpointer,
        SqliteStoreOptions options,
        ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CompactionChunk, 1);
        _compactionChunk = options.CompactionChunk;
        _maxWalFrames = options.MaxWalFrames;
        if (options.MaxValueBytes is int max)
        {
            SQLitePCL.raw.sqlite3_limit(db.Handle, SQLitePCL.raw.SQLITE_LIMIT_LENGTH, max);
        }

        _db = db;
        _checkpointer = checkpointer;
        _revision = revision;
        _compacted = compacted;
        _broadcaster = broadcaster;
        _currentValues = currentValues;
        _logger = logger;

        _begin = Command("BEGIN IMMEDIATE");
        _commit = Command("COMMIT");
        _rollback = Command("ROLLBACK");
        _restartWal = Command("PRAGMA wal_checkpoint(RESTART)");
        _current = Command(
            "SELECT c.create_revision, c.mod_revision, l.value FROM current c JOIN log l ON l.revision = c.mod_revision WHERE c.key = $key",
            ("$key", SqliteType.Text));
        _insertLog = Command(
            "INSERT INTO log (revision, key, create_revision, prev_revision, deleted, value) VALUES ($rev, $key, $create, $prev, $deleted, $value)",
            ("$rev", SqliteType.Integer), ("$key", SqliteType.Text), ("$create", SqliteType.Integer),
            ("$prev", SqliteType.Integer), ("$deleted", SqliteType.Integer), ("$value", SqliteType.Blob));
        _insertCurrent = Command(
            "INSERT OR IGNORE INTO current (key, mod_revision, create_revision) VALUES ($key, $rev, $rev)",
            ("$key", SqliteType.Text), ("$rev", SqliteType.Integer));
        _updateCurrent = Command(
            "UPDATE current SET mod_revision = $rev WHERE key = $key",
            ("$key", SqliteType.Text), ("$rev", SqliteType.Integer));
        _deleteCurrent = Command("DELETE FROM current WHERE key = $key", ("$key", SqliteType.Text));
        _setRevision = Command("UPDATE meta SET revision = $rev WHERE id = 1", ("$rev", SqliteType.Integer));

        // A row is superseded when a later row of its key points back at it (prev_revision); a delete row is not needed
        // once compacted, as the key did not exist after it. What remains at or below the compacted revision is the
        // newest row of each live key, which both the current state and any list at a later revision need.
        _compactSuperseded = Command(
            "DELETE FROM log WHERE revision IN (SELECT prev_revision FROM log WHERE revision > $from AND revision <= $to AND prev_revision > 0)",
            ("$from", SqliteType.Integer), ("$to", SqliteType.Integer));
        _compactDeleted = Command(
            "DELETE FROM log WHERE revision > $from AND revision <= $to AND deleted = 1",
            ("$from", SqliteType.Integer), ("$to", SqliteType.Integer));
        _setCompacted = Command("UPDATE meta SET compacted = $to WHERE id = 1", ("$to", SqliteType.Integer));

        _thread = new Thread(Run) { IsBackground = true, Name = "coxswain-storage-writer" };
        _thread.Start();
    }

    /// <summary>The compacted revision (written by the writer thread after each compaction step commits).</summary>
    public long CompactedRevision => Volatile.Read(ref _compacted);

    public void Enqueue(WriteOp op)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(SqliteStore));
            _queue.Add(op);
            if (_queue.Count == 1)
            {
                Monitor.Pulse(_gate); // the writer only waits on an empty queue
            }
        }
    }

    public Task CompactAsync(long revision)
    {
        var request = new CompactRequest(revision);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(SqliteStore));
            _compactions.Enqueue(request);
            Monitor.Pulse(_gate);
        }

        return request.Task;
    }

    /// <summary>Stops taking writes, finishes the queued ones, and stops the thread. Queued compactions are cancelled.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
    }

    /// <summary>Closes the connection; call after <see cref="Dispose"/> once no reader needs the file.</summary>
    public void CloseConnection() => _db.Dispose();

    private void Run()
    {
        while (true)
        {
            bool compact;
            lock (_gate)
            {
                while (_queue.Count == 0 && _compactions.Count == 0 && !_closed)
                {
                    Monitor.Wait(_gate);
                }

                if (_queue.Count == 0 && _closed)
                {
                    break;
                }

                (_queue, _batch) = (_batch, _queue);
                compact = _compactions.Count > 0;
            }

            if (_batch.Count > 0)
            {
                ApplyBatch(_batch);
                _batch.Clear();
            }

            if (_checkpointer.WalFrames > _maxWalFrames && Stopwatch.GetElapsedTime(_lastWalRestart) >= WalRestartPause)
            {
                RestartWal();
            }

            if (compact)
            {
                CompactStep();
            }
        }

        lock (_gate)
        {
            while (_compactions.TryDequeue(out CompactRequest? request))
            {
                request.TrySetException(new ObjectDisposedException(nameof(SqliteStore)));
            }
        }
    }

    private void ApplyBatch(List<WriteOp> batch)
    {
        long before = _revision;
        try
        {
            _begin.ExecuteNonQuery();
            try
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    Apply(batch[i]);
                }

                if (_revision != before)
                {
                    _setRevision.Parameters[0].Value = _revision;
                    _setRevision.ExecuteNonQuery();
                }

                _commit.ExecuteNonQuery();
            }
            catch
            {
                TryRollback();
                throw;
            }
        }
        catch (Exception ex)
        {
            _revision = before;
            _events.Clear();
            SqliteStoreLog.WriteFailed(_logger, batch.Count, ex);
            if (batch.Count > 1)
            {
                // Find out which write it was: apply each alone, so one bad write does not fail the others.
                foreach (WriteOp op in batch)
                {
                    op.Result = null;
                    op.Error = null;
                    _single.Add(op);
                    ApplyBatch(_single);
                    _single.Clear();
                }

                return;
            }

            batch[0].TrySetException(new StoreException("the write was not committed: " + ex.Message, ex));
            return;
        }

        if (_events.Count > 0)
        {
            _currentValues.Apply(_events);
            _broadcaster.Publish(_events, _revision);
            _events.Clear();
            _checkpointer.NotifyCommitted();
        }

        for (int i = 0; i < batch.Count; i++)
        {
            WriteOp op = batch[i];
            if (op.Error is null)
            {
                op.TrySetResult(op.Result!);
            }
            else
            {
                op.TrySetException(op.Error);
            }
        }
    }

    private void Apply(WriteOp op)
    {
        string key = op.Key;
        if (op.Kind == WriteKind.Create)
        {
            long revision = _revision + 1;
            _insertCurrent.Parameters[0].Value = key;
            _insertCurrent.Parameters[1].Value = revision;
            if (_insertCurrent.ExecuteNonQuery() == 0)
            {
                op.Error = new KeyExistsException(key); // the key is there; nothing was written
                return;
            }

            InsertLog(revision, key, revision, 0, deleted: false, op.Value!);
            _revision = revision;

            var kv = new KeyValue(key, op.Value!, revision, revision);
            op.Result = kv;
            _events.Add(new StoreEvent(StoreEventType.Put, kv, null));
            return;
        }

        KeyValue? existing = ReadCurrent(key);
        if (existing is null)
        {
            op.Error = new StoreKeyNotFoundException(key);
            return;
        }

        bool unconditional = op.Kind == WriteKind.Delete && op.ExpectedModRevision == 0;
        if (!unconditional && existing.ModRevision != op.ExpectedModRevision)
        {
            op.Error = new RevisionMismatchException(existing, op.ExpectedModRevision);
            return;
        }

        long next = _revision + 1;
        if (op.Kind == WriteKind.Update)
        {
            InsertLog(next, key, existing.CreateRevision, existing.ModRevision, deleted: false, op.Value!);
            _updateCurrent.Parameters[0].Value = key;
            _updateCurrent.Parameters[1].Value = next;
            _updateCurrent.ExecuteNonQuery();
            _revision = next;

            var kv = new KeyValue(key, op.Value!, existing.CreateRevision, next);
            op.Result = kv;
            _events.Add(new StoreEvent(StoreEventType.Put, kv, existing));
        }
        else
        {
            InsertLog(next, key, existing.CreateRevision, existing.ModRevision, deleted: true, existing.Value);
            _deleteCurrent.Parameters[0].Value = key;
            _deleteCurrent.ExecuteNonQuery();
            _revision = next;

            var kv = new KeyValue(key, existing.Value, existing.CreateRevision, next);
            op.Result = kv;
            _events.Add(new StoreEvent(StoreEventType.Delete, kv, existing));
        }
    }

    private KeyValue? ReadCurrent(string key)
    {
        _current.Parameters[0].Value = key;
        using SqliteDataReader r = _current.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        byte[] value = r.IsDBNull(2) ? [] : (byte[])r.GetValue(2);
        return new KeyValue(key, value, r.GetInt64(0), r.GetInt64(1));
    }

    private void InsertLog(long revision, string key, long createRevision, long prevRevision, bool deleted, byte[] value)
    {
        SqliteParameterCollection p = _insertLog.Parameters;
        p[0].Value = revision;
        p[1].Value = key;
        p[2].Value = createRevision;
        p[3].Value = prevRevision;
        p[4].Value = deleted ? 1L : 0L;
        p[5].Value = value;
        _insertLog.ExecuteNonQuery();
    }

    /// <summary>Compacts one chunk towards the oldest queued request, and completes it once reached.</summary>
    private void CompactStep()
    {
        CompactRequest request;
        lock (_gate)
        {
            request = _compactions.Peek();
        }

        long from = _compacted;
        long to = Math.Min(request.Revision, from + _compactionChunk);
        if (to > from)
        {
            long started = Stopwatch.GetTimestamp();
            int deleted;
            try
            {
                _begin.ExecuteNonQuery();
                try
                {
                    _compactSuperseded.Parameters[0].Value = from;
                    _compactSuperseded.Parameters[1].Value = to;
                    deleted = _compactSuperseded.ExecuteNonQuery();
                    _compactDeleted.Parameters[0].Value = from;
                    _compactDeleted.Parameters[1].Value = to;
                    deleted += _compactDeleted.ExecuteNonQuery();
                    _setCompacted.Parameters[0].Value = to;
                    _setCompacted.ExecuteNonQuery();
                    _commit.ExecuteNonQuery();
                }
                catch
                {
                    TryRollback();
                    throw;
                }
            }
            catch (Exception ex)
            {
                SqliteStoreLog.CompactionFailed(_logger, to, ex);
                lock (_gate)
                {
                    _compactions.Dequeue();
                }

                request.TrySetException(new StoreException("compaction failed: " + ex.Message, ex));
                return;
            }

            Volatile.Write(ref _compacted, to);
            SqliteStoreLog.Compacted(_logger, from, to, deleted, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        if (to >= request.Revision)
        {
            lock (_gate)
            {
                _compactions.Dequeue();
            }

            request.TrySetResult();
        }
    }

    /// <summary>
    /// Checkpoints everything and makes the next commit start the WAL from its beginning. Blocks writes (and waits for
    /// readers of old snapshots) only when background checkpoints could not keep the WAL small.
    /// </summary>
    private void RestartWal()
    {
        long started = _lastWalRestart = Stopwatch.GetTimestamp();
        long frames = _checkpointer.WalFrames;
        try
        {
            using SqliteDataReader r = _restartWal.ExecuteReader();
            if (r.Read() && r.GetInt64(0) == 0)
            {
                _checkpointer.NotifyRestarted();
                SqliteStoreLog.WalRestarted(_logger, frames, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        catch (SqliteException ex)
        {
            SqliteStoreLog.CheckpointFailed(_logger, ex);
        }
    }

    private void TryRollback()
    {
        try
        {
            _rollback.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing is left to undo.
        }
    }

    private SqliteCommand Command(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        SqliteCommand cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach ((string name, SqliteType type) in parameters)
        {
            cmd.Parameters.Add(name, type);
        }

        return cmd;
    }
}
