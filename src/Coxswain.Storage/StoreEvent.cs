namespace Coxswain.Storage;

/// <summary>What a <see cref="StoreEvent"/> did to its key.</summary>
public enum StoreEventType
{
    /// <summary>The key was created or updated.</summary>
    Put,

    /// <summary>The key was deleted.</summary>
    Delete,
}

/// <summary>
/// One committed write, as seen by a watcher.
/// <list type="bullet">
/// <item><see cref="StoreEventType.Put"/>: <see cref="Kv"/> is the new value (its ModRevision is the event revision);
/// <see cref="Previous"/> is the value before, or null on create.</item>
/// <item><see cref="StoreEventType.Delete"/>: <see cref="Kv"/> carries the last value with ModRevision = the delete revision;
/// <see cref="Previous"/> is that last value with its own revisions.</item>
/// </list>
/// </summary>
public sealed record StoreEvent(StoreEventType Type, KeyValue Kv, KeyValue? Previous)
{
    /// <summary>The revision of the write.</summary>
    public long Revision => Kv.ModRevision;
}
