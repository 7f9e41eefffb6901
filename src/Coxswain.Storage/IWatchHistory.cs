namespace Coxswain.Storage;

/// <summary>Where a catching-up watcher reads the events it missed.</summary>
internal interface IWatchHistory
{
    /// <summary>
    /// Appends to <paramref name="into"/> at most <paramref name="max"/> events on keys under <paramref name="prefix"/>
    /// with revision in (<paramref name="after"/>, <paramref name="upTo"/>], in revision order.
    /// </summary>
    /// <exception cref="CompactedException">Revisions after <paramref name="after"/> are compacted.</exception>
    Task ReadHistoryAsync(string prefix, long after, long upTo, int max, List<StoreEvent> into, CancellationToken ct);
}
