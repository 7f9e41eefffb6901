using k8s;

namespace Coxswain.Client.ListWatch;

/// <summary>
/// One event of a watch stream. Bookmarks carry no object change, only a newer <see cref="ResourceVersion"/> to
/// resume from, so a quiet watch does not fall behind compaction.
/// </summary>
public readonly record struct WatchEvent<T>(WatchEventType Type, T? Object, string ResourceVersion)
    where T : class;

/// <summary>The result of a list: the objects and the collection's resourceVersion to start watching from.</summary>
public sealed record ListResult<T>(IReadOnlyList<T> Items, string ResourceVersion);
