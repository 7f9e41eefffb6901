namespace Coxswain.Storage;

/// <summary>Base of every error the store reports on purpose.</summary>
public class StoreException : Exception
{
    public StoreException(string message) : base(message) { }

    public StoreException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>A create found the key already there (HTTP 409 AlreadyExists).</summary>
public sealed class KeyExistsException(string key) : StoreException($"key '{key}' already exists")
{
    public string Key { get; } = key;
}

/// <summary>An update or delete found no such key (HTTP 404 NotFound).</summary>
public sealed class StoreKeyNotFoundException(string key) : StoreException($"key '{key}' not found")
{
    public string Key { get; } = key;
}

/// <summary>An update or delete expected another ModRevision (HTTP 409 Conflict). <see cref="Current"/> is the value now.</summary>
public sealed class RevisionMismatchException(KeyValue current, long expectedModRevision)
    : StoreException($"key '{current.Key}' is at revision {current.ModRevision}, not {expectedModRevision}")
{
    public KeyValue Current { get; } = current;

    public long ExpectedModRevision { get; } = expectedModRevision;
}

/// <summary>
/// The revision asked for is compacted, or a watcher fell too far behind (HTTP 410 Gone / "too old resource version").
/// </summary>
public sealed class CompactedException : StoreException
{
    public CompactedException(long compactedRevision, long requestedRevision)
        : base($"revision {requestedRevision} is compacted (compacted revision {compactedRevision})")
    {
        CompactedRevision = compactedRevision;
    }

    public CompactedException(long compactedRevision, string message) : base(message)
    {
        CompactedRevision = compactedRevision;
    }

    public long CompactedRevision { get; }
}

/// <summary>A read asked for a revision newer than the store has (HTTP 504 "too large resource version").</summary>
public sealed class FutureRevisionException(long requestedRevision, long currentRevision)
    : StoreException($"revision {requestedRevision} is newer than the current revision {currentRevision}")
{
    public long RequestedRevision { get; } = requestedRevision;

    public long CurrentRevision { get; } = currentRevision;
}
