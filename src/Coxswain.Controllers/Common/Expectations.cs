using Coxswain.Client.Cache;
using k8s.Models;

namespace Coxswain.Controllers.Common;

/// <summary>
/// Upstream's ControllerExpectations (with UID tracking of deletions): after a controller asks for N creates or
/// deletes it waits until its informer has seen them before it syncs that owner again, so it never acts twice on
/// a stale cache. Expectations older than five minutes count as satisfied (a watch event may have been lost).
/// Keys are the owner's "namespace/name".
/// </summary>
public sealed class Expectations(TimeProvider? time = null)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Record> _records = new(StringComparer.Ordinal);

    private sealed class Record(DateTimeOffset at)
    {
        public int Adds;
        public int Deletes;
        public DateTimeOffset At = at;
        public readonly HashSet<string> DeletingPods = new(StringComparer.Ordinal);
    }

    /// <summary>True when the owner may be synced: nothing is pending, or what is pending timed out.</summary>
    public bool Satisfied(string key)
    {
        lock (_lock)
        {
            return !_records.TryGetValue(key, out var r) || (r.Adds <= 0 && r.Deletes <= 0) || _time.GetUtcNow() - r.At > Timeout;
        }
    }

    public void ExpectCreations(string key, int adds) => Set(key, adds, []);

    /// <summary>Expects the deletion of these pods (their "namespace/name" keys).</summary>
    public void ExpectDeletions(string key, IReadOnlyCollection<string> podKeys) => Set(key, 0, podKeys);

    /// <summary>Expects both at once (upstream SetExpectations; a DaemonSet sync may create and delete together).</summary>
    public void Expect(string key, int adds, IReadOnlyCollection<string> deletingPodKeys) => Set(key, adds, deletingPodKeys);

    private void Set(string key, int adds, IReadOnlyCollection<string> deleting)
    {
        lock (_lock)
        {
            var r = new Record(_time.GetUtcNow()) { Adds = adds, Deletes = deleting.Count };
            r.DeletingPods.UnionWith(deleting);
            _records[key] = r;
        }
    }

    /// <summary>The informer saw one of the owner's creates (or a create failed and will not be seen).</summary>
    public void CreationObserved(string key)
    {
        lock (_lock)
        {
            if (_records.TryGetValue(key, out var r))
            {
                r.Adds--;
            }
        }
    }

    /// <summary>The informer saw the pod go (or start terminating), or its delete failed.</summary>
    public void DeletionObserved(string key, string podKey)
    {
        lock (_lock)
        {
            if (_records.TryGetValue(key, out var r) && r.DeletingPods.Remove(podKey))
            {
                r.Deletes--;
            }
        }
    }

    /// <summary>
    /// Deletes <paramref name="pods"/> at once, their deletions already expected under <paramref name="key"/>. A pod
    /// that was already gone (<paramref name="delete"/> returns false) or whose delete failed brings no informer
    /// event, so it counts as observed here. Returns the failures, for the caller to report.
    /// </summary>
    public async Task<List<Exception>> DeleteAllAsync(string key, IEnumerable<V1Pod> pods, Func<V1Pod, Task<bool>> delete)
    {
        var failures = new List<Exception>();
        await Task.WhenAll(pods.Select(async pod =>
        {
            try
            {
                if (!await delete(pod))
                {
                    DeletionObserved(key, Indexer<V1Pod>.KeyOf(pod));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                DeletionObserved(key, Indexer<V1Pod>.KeyOf(pod));
                lock (failures)
                {
                    failures.Add(e);
                }
            }
        }));
        return failures;
    }

    /// <summary>Forgets the owner (it was deleted).</summary>
    public void Delete(string key)
    {
        lock (_lock)
        {
            _records.Remove(key);
        }
    }
}
