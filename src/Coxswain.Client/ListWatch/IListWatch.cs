using k8s;
using k8s.Models;

namespace Coxswain.Client.ListWatch;

/// <summary>
/// The two calls an informer needs (client-go's ListerWatcher). <see cref="ListWatcher{T}"/> is the real one; the
/// seam exists so a wrapper can narrow, observe or (in tests) interrupt them.
/// </summary>
public interface IListWatch<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The resource listed and watched.</summary>
    ResourceType<T> Type { get; }

    /// <summary>Lists the current objects and the collection's resourceVersion.</summary>
    Task<ListResult<T>> ListAsync(CancellationToken ct);

    /// <summary>
    /// Watches from a resourceVersion with bookmarks; throws <see cref="ApiStatusException"/> with IsGone set when
    /// the version was compacted.
    /// </summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync(string resourceVersion, int timeoutSeconds, CancellationToken ct);
}
