namespace Coxswain.Storage.Sqlite;

/// <summary>How to open a <see cref="SqliteStore"/>.</summary>
/// <param name="Path">The database file; created with its directory when missing.</param>
public sealed record SqliteStoreOptions(string Path)
{
    /// <summary>How often the store compacts itself; <see cref="TimeSpan.Zero"/> or infinite turns periodic compaction off.</summary>
    public TimeSpan CompactionInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Periodic compaction keeps at least this many revisions of history, and at least one compaction interval of it
    /// (like kube-apiserver, it compacts to the revision seen one interval earlier).
    /// </summary>
    public long CompactionRetainRevisions { get; init; } = 1000;

    /// <summary>How many events a watcher may be behind before it is cut off with a <see cref="CompactedException"/>.</summary>
    public int WatchBufferCapacity { get; init; } = 10_000;

    /// <summary>How many read connections to keep open (WAL lets them read while the writer writes).</summary>
    public int ReadConnections { get; init; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>Compaction deletes history in steps of this many revisions, one short write transaction each.</summary>
    internal long CompactionChunk { get; init; } = 10_000;

    /// <summary>
    /// Past this many WAL frames (~128 MiB with 4 KiB pages) the writer checkpoints and restarts the WAL itself, because
    /// background checkpoints could not keep up.
    /// </summary>
    internal long MaxWalFrames { get; init; } = 32_768;

    /// <summary>When set, the writer connection refuses longer values and keys (SQLITE_LIMIT_LENGTH); tests use it to make a write fail.</summary>
    internal int? MaxValueBytes { get; init; }
}
