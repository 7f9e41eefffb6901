using System.Collections.Concurrent;

namespace Coxswain.Kubelet.Pods;

/// <summary>
/// Per-container restart (and image pull) back-off as upstream's kubelet keeps it: 10 s doubling to 5 min,
/// forgotten once the item has not failed for twice the maximum.
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, (TimeSpan Delay, DateTimeOffset LastFailure)> _entries = new();

    public static Backoff CrashLoop() => new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));

    /// <summary>Records a failure at <paramref name="at"/>: the next try waits the current delay, then the delay doubles.</summary>
    public void Next(string key, DateTimeOffset at)
    {
        _entries.AddOrUpdate(key, _ => (initial, at), (_, e) =>
            at - e.LastFailure > 2 * max ? (initial, at) : (TimeSpan.FromTicks(Math.Min(e.Delay.Ticks * 2, max.Ticks)), at));
    }

    /// <summary>How long until <paramref name="key"/> may be tried again after its failure at <paramref name="failedAt"/>; zero if now.</summary>
    public TimeSpan Remaining(string key, DateTimeOffset failedAt)
    {
        if (!_entries.TryGetValue(key, out var e))
        {
            return TimeSpan.Zero;
        }
        var left = failedAt + e.Delay - _time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>How long until <paramref name="key"/> may be tried again after its last recorded failure; zero if now.</summary>
    public TimeSpan Remaining(string key) => _entries.TryGetValue(key, out var e) ? Remaining(key, e.LastFailure) : TimeSpan.Zero;

    /// <summary>The delay that applies now (for messages like "back-off 20s restarting failed container").</summary>
    public TimeSpan Current(string key) => _entries.TryGetValue(key, out var e) ? e.Delay : TimeSpan.Zero;

    public void Forget(string key) => _entries.TryRemove(key, out _);

    public void ForgetPrefix(string prefix)
    {
        foreach (var key in _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            _entries.TryRemove(key, out _);
        }
    }
}
