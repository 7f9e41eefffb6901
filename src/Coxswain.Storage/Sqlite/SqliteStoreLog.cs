using Microsoft.Extensions.Logging;

namespace Coxswain.Storage.Sqlite;

internal static partial class SqliteStoreLog
{
    [LoggerMessage(1, LogLevel.Information, "Opened storage {Path} at revision {Revision} (compacted {CompactedRevision})")]
    public static partial void Opened(ILogger logger, string path, long revision, long compactedRevision);

    [LoggerMessage(2, LogLevel.Error, "A write group of {Count} writes failed and was rolled back")]
    public static partial void WriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "Compacted revisions {From}..{To}: {Rows} rows removed in {ElapsedMs:F1} ms")]
    public static partial void Compacted(ILogger logger, long from, long to, int rows, double elapsedMs);

    [LoggerMessage(4, LogLevel.Error, "Compaction to revision {Revision} failed")]
    public static partial void CompactionFailed(ILogger logger, long revision, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "A background WAL checkpoint failed")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Information, "The WAL reached {Frames} frames; checkpointed and restarted it in {ElapsedMs:F1} ms")]
    public static partial void WalRestarted(ILogger logger, long frames, double elapsedMs);

    [LoggerMessage(5, LogLevel.Warning, "Periodic compaction to revision {Revision} failed")]
    public static partial void PeriodicCompactionFailed(ILogger logger, long revision, Exception exception);
}
