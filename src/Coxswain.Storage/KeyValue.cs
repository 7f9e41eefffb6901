namespace Coxswain.Storage;

/// <summary>
/// One key and its value as stored at <see cref="ModRevision"/>.
/// The value array is shared with other readers and watchers: treat it as immutable.
/// </summary>
/// <param name="Key">The full key, e.g. <c>/registry/pods/default/web-0</c>.</param>
/// <param name="Value">Opaque bytes (JSON for the API server).</param>
/// <param name="CreateRevision">The revision that created this incarnation of the key.</param>
/// <param name="ModRevision">The revision of the last write to the key (the resourceVersion).</param>
public sealed record KeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision);
