using k8s.Models;

namespace Coxswain.Scheduler.Service;

/// <summary>
/// The scheduling queue (upstream's PriorityQueue, simplified): an active heap ordered by priority then creation
/// time, a backoff set (pods re-enter active after a per-pod exponential delay) and an unschedulable set (pods
/// re-enter active on a cluster event that may help, or on the periodic flush). Thread-safe.
/// </summary>
public sealed class SchedulingQueue
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(10);
    private readonly object _lock = new();
    private readonly SortedSet<Entry> _active = new(EntryComparer.Instance);
    private readonly Dictionary<string, Entry> _activeByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _unschedulable = new(StringComparer.Ordinal);
    private readonly HashSet<string> _backoff = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0);
    private long _seq;

    private sealed record Entry(string Key, int Priority, DateTime Created, long Seq);

    private sealed class EntryComparer : IComparer<Entry>
    {
        public static readonly EntryComparer Instance = new();
        public int Compare(Entry? a, Entry? b)
        {
            if (ReferenceEquals(a, b)) return 0;
            var c = b!.Priority.CompareTo(a!.Priority);   // higher priority first
            if (c == 0) c = a.Created.CompareTo(b.Created);
            return c != 0 ? c : a.Seq.CompareTo(b.Seq);
        }
    }

    public static string KeyOf(V1Pod pod) => $"{pod.Metadata?.NamespaceProperty}/{pod.Metadata?.Name}";

    /// <summary>Adds (or refreshes) a pod in the active queue, taking it out of the other sets.</summary>
    public void Add(V1Pod pod)
    {
        var key = KeyOf(pod);
        lock (_lock)
        {
            _unschedulable.Remove(key);
            _backoff.Remove(key);
            if (_activeByKey.Remove(key, out var old)) _active.Remove(old);
            var e = new Entry(key, pod.Spec?.Priority ?? 0, pod.Metadata?.CreationTimestamp ?? DateTime.MinValue, _seq++);
            _active.Add(e);
            _activeByKey[key] = e;
        }
        _signal.Release();
    }

    /// <summary>True when the pod waits in the unschedulable or backoff set (its own status writes must not requeue it).</summary>
    public bool IsParked(string key)
    {
        lock (_lock) return _unschedulable.ContainsKey(key) || _backoff.Contains(key);
    }

    public void Delete(string key)
    {
        lock (_lock)
        {
            _unschedulable.Remove(key);
            _backoff.Remove(key);
            _attempts.Remove(key);
            if (_activeByKey.Remove(key, out var old)) _active.Remove(old);
        }
    }

    /// <summary>Waits for the highest-priority active pod key; null when cancelled.</summary>
    public async Task<string?> PopAsync(CancellationToken ct)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_active.Min is { } e)
                {
                    _active.Remove(e);
                    _activeByKey.Remove(e.Key);
                    return e.Key;
                }
            }
            try { await _signal.WaitAsync(ct); }
            catch (OperationCanceledException) { return null; }
        }
    }

    public void AddUnschedulable(V1Pod pod)
    {
        lock (_lock)
        {
            var key = KeyOf(pod);
            if (!_activeByKey.ContainsKey(key)) _unschedulable[key] = DateTime.UtcNow;
        }
    }

    /// <summary>Requeues after an error with per-pod exponential backoff (1 s doubling to 10 s).</summary>
    public void AddBackoff(V1Pod pod, CancellationToken ct)
    {
        var key = KeyOf(pod);
        TimeSpan delay;
        lock (_lock)
        {
            var n = _attempts[key] = _attempts.GetValueOrDefault(key) + 1;
            delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, InitialBackoff.Ticks << Math.Min(n - 1, 10)));
            _backoff.Add(key);
        }
        _ = Task.Delay(delay, ct).ContinueWith(t =>
        {
            if (t.IsCanceled) return;
            lock (_lock) { if (!_backoff.Remove(key)) return; }
            Add(pod);
        }, TaskScheduler.Default);
    }

    public void Forget(string key)
    {
        lock (_lock) _attempts.Remove(key);
    }

    /// <summary>Moves unschedulable pods back to active (a cluster event that may help them). Returns the pods moved.</summary>
    public int MoveAllToActive(Func<string, V1Pod?> lookup, TimeSpan? olderThan = null)
    {
        List<string> keys;
        lock (_lock)
        {
            var cutoff = DateTime.UtcNow - (olderThan ?? TimeSpan.Zero);
            keys = _unschedulable.Where(kv => olderThan == null || kv.Value <= cutoff).Select(kv => kv.Key).ToList();
            foreach (var k in keys) _unschedulable.Remove(k);
        }
        var moved = 0;
        foreach (var k in keys)
        {
            if (lookup(k) is { } pod) { Add(pod); moved++; }
        }
        return moved;
    }
}
