namespace Coxswain.Storage;

/// <summary>
/// An etcd-like key-value store with a revision log. Every successful create, update or delete gets the next
/// store-wide revision (starting at 1, increasing by exactly 1); the API server uses it as resourceVersion.
/// Keys sort by ordinal (byte) order. Value arrays passed in or handed out are shared, never copied: treat them as immutable.
/// </summary>
public interface IStore : IAsyncDisposable
{
    /// <summary>The newest committed revision (0 for an empty store).</summary>
    long CurrentRevision { get; }

    /// <summary>History at revisions at or below this is gone; the state as of this revision is still readable.</summary>
    long CompactedRevision { get; }

    /// <summary>The current value of <paramref name="key"/>, or null.</summary>
    Task<KeyValue?> GetAsync(string key, CancellationToken ct = default);

    /// <summary>
    /// Keys starting with <paramref name="prefix"/>, sorted by key.
    /// </summary>
    /// <param name="prefix">Match keys starting with this, e.g. <c>/registry/pods/default/</c>.</param>
    /// <param name="revision">0 = current; otherwise the state as of that revision.</param>
    /// <param name="startKey">When not null, only keys &gt;= startKey (continue tokens).</param>
    /// <param name="limit">0 = no limit.</param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="CompactedException">revision &lt; CompactedRevision.</exception>
    /// <exception cref="FutureRevisionException">revision &gt; CurrentRevision.</exception>
    Task<ListResult> ListAsync(string prefix, long revision = 0, string? startKey = null, int limit = 0, CancellationToken ct = default);

    /// <summary>How many keys start with <paramref name="prefix"/> now.</summary>
    Task<long> CountAsync(string prefix, CancellationToken ct = default);

    /// <summary>Creates <paramref name="key"/>.</summary>
    /// <exception cref="KeyExistsException">The key exists.</exception>
    Task<KeyValue> CreateAsync(string key, byte[] value, CancellationToken ct = default);

    /// <summary>Replaces the value of <paramref name="key"/> if its ModRevision is <paramref name="expectedModRevision"/>.</summary>
    /// <exception cref="StoreKeyNotFoundException">The key does not exist.</exception>
    /// <exception cref="RevisionMismatchException">The key's ModRevision differs; carries the current value.</exception>
    Task<KeyValue> UpdateAsync(string key, byte[] value, long expectedModRevision, CancellationToken ct = default);

    /// <summary>
    /// Deletes <paramref name="key"/> (unconditionally when <paramref name="expectedModRevision"/> is 0).
    /// Returns the deleted value with ModRevision = the delete revision.
    /// </summary>
    /// <exception cref="StoreKeyNotFoundException">The key does not exist.</exception>
    /// <exception cref="RevisionMismatchException">The key's ModRevision differs; carries the current value.</exception>
    Task<KeyValue> DeleteAsync(string key, long expectedModRevision = 0, CancellationToken ct = default);

    /// <summary>
    /// Every event on keys under <paramref name="prefix"/> with revision &gt; <paramref name="fromRevision"/>, in revision
    /// order, then live events as they commit. 0 = from now. A watcher that falls too far behind is completed with a
    /// <see cref="CompactedException"/>.
    /// </summary>
    /// <exception cref="CompactedException">fromRevision &lt; CompactedRevision.</exception>
    IStoreWatch Watch(string prefix, long fromRevision, CancellationToken ct = default);

    /// <summary>Drops history at or below <paramref name="revision"/>, keeping current values.</summary>
    /// <exception cref="FutureRevisionException">revision &gt; CurrentRevision.</exception>
    Task CompactAsync(long revision, CancellationToken ct = default);
}
