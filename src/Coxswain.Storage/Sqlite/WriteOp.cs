namespace Coxswain.Storage.Sqlite;

internal enum WriteKind : byte
{
    Create,
    Update,
    Delete,
}

/// <summary>
/// One queued create, update or delete, and the task its caller awaits (the op is its own completion source,
/// so a write allocates one object besides its result). Continuations run on the thread pool, never on the writer.
/// </summary>
internal sealed class WriteOp(WriteKind kind, string key, byte[]? value, long expectedModRevision)
    : TaskCompletionSource<KeyValue>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public WriteKind Kind { get; } = kind;

    public string Key { get; } = key;

    public byte[]? Value { get; } = value;

    /// <summary>For update: must match. For delete: 0 = unconditional.</summary>
    public long ExpectedModRevision { get; } = expectedModRevision;

    /// <summary>Set by the writer: the outcome to report once the batch is committed.</summary>
    public KeyValue? Result { get; set; }

    public Exception? Error { get; set; }
}

/// <summary>A queued compaction.</summary>
internal sealed class CompactRequest(long revision) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public long Revision { get; } = revision;
}
