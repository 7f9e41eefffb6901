using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Coxswain.Storage.Sqlite;

/// <summary>
/// Copies committed WAL frames into the database file on its own connection and thread (PASSIVE checkpoints run beside
/// the writer and readers without blocking them), so that no commit pays for a checkpoint. The writer's own
/// auto-checkpoint is off; if the WAL still outgrows <see cref="SqliteStoreOptions.MaxWalFrames"/> (a long write burst
/// never lets a passive checkpoint finish), the writer runs a blocking one itself (see <see cref="SqliteWriter"/>).
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    private readonly SqliteConnection _db;
    private readonly SqliteCommand _checkpoint;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private volatile bool _dirty;
    private bool _closed;
    private long _walFrames;

    public WalCheckpointer(string path, ILogger logger)
    {
        _logger = logger;
        _db = SqliteSchema.OpenCheckpointer(path);
        _checkpoint = _db.CreateCommand();
        _checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        _thread = new Thread(Run) { IsBackground = true, Name = "coxswain-storage-checkpoint" };
        _thread.Start();
    }

    /// <summary>How many frames the WAL had at the last checkpoint.</summary>
    public long WalFrames => Volatile.Read(ref _walFrames);

    /// <summary>Called by the writer after each commit: there is something to checkpoint.</summary>
    public void NotifyCommitted()
    {
        if (_dirty)
        {
            return;
        }

        lock (_gate)
        {
            _dirty = true;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Called by the writer after it checkpointed and restarted the WAL itself.</summary>
    public void NotifyRestarted() => Volatile.Write(ref _walFrames, 0);

    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
        _db.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            lock (_gate)
            {
                while (!_dirty && !_closed)
                {
                    Monitor.Wait(_gate);
                }

                if (_closed)
                {
                    return;
                }

                _dirty = false;
            }

            try
            {
                using SqliteDataReader r = _checkpoint.ExecuteReader();
                if (r.Read())
                {
                    Volatile.Write(ref _walFrames, r.GetInt64(1));
                }
            }
            catch (SqliteException ex)
            {
                SqliteStoreLog.CheckpointFailed(_logger, ex);
            }

            // Let commits pile up between checkpoints: one checkpoint then copies a page changed by many commits once.
            lock (_gate)
            {
                if (!_closed)
                {
                    Monitor.Wait(_gate, Pause);
                }
            }
        }
    }
}
