using k8s.Models;

namespace Coxswain.Client.Events;

/// <summary>What the recorder must write for one recorded event.</summary>
/// <param name="Name">The Event object's name (new, or the existing one to patch).</param>
/// <param name="Count">The count to write (1 for a new Event).</param>
/// <param name="FirstTimestamp">When this series started.</param>
/// <param name="IsNew">True: create; false: patch count and lastTimestamp of the existing Event.</param>
internal readonly record struct EventWrite(string Name, int Count, DateTime FirstTimestamp, bool IsNew);

/// <summary>
/// Folds repeats of one event into one Event object, like client-go's EventCorrelator/EventAggregator: the same
/// object, type, reason, message and source within <see cref="Window"/> of the last occurrence increments the
/// existing Event's count (a PATCH) instead of creating another, so a crash-looping pod is one line in
/// `kubectl describe` with "x12", not twelve.
/// </summary>
internal sealed class EventCorrelator(TimeSpan window, int maxEntries = 4096)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _sequence;

    /// <summary>How long after an occurrence a repeat still joins its series (client-go: 10 minutes).</summary>
    public TimeSpan Window { get; } = window;

    /// <summary>Decides create-or-patch for an event seen at <paramref name="now"/>, and records it.</summary>
    public EventWrite Observe(V1ObjectReference obj, string type, string reason, string message, V1EventSource source, DateTime now)
    {
        var key = string.Join('\0', obj.Kind, obj.ApiVersion, obj.NamespaceProperty, obj.Name, obj.Uid, type, reason, message, source.Component, source.Host);
        if (_entries.TryGetValue(key, out var e) && now - e.Last <= Window)
        {
            e.Count++;
            e.Last = now;
            return new EventWrite(e.Name, e.Count, e.First, IsNew: false);
        }
        if (_entries.Count >= maxEntries)
        {
            Evict(now);
        }
        // Unix nanoseconds as upstream; timestamps are whole seconds, so the sequence fills the nanosecond digits
        // (a controller creating hundreds of pods writes hundreds of distinct events per object per second).
        var name = $"{obj.Name}.{(now.Ticks - DateTime.UnixEpoch.Ticks) * 100 + (Interlocked.Increment(ref _sequence) % 1_000_000_000):x}";
        _entries[key] = new Entry { Name = name, Count = 1, First = now, Last = now };
        return new EventWrite(name, 1, now, IsNew: true);
    }


    private void Evict(DateTime now)
    {
        foreach (var (key, e) in _entries)
        {
            if (now - e.Last > Window)
            {
                _entries.Remove(key);
            }
        }
        if (_entries.Count >= maxEntries)
        {
            _entries.Clear(); // all recent: losing aggregation is better than unbounded memory
        }
    }

    private sealed class Entry
    {
        public required string Name { get; init; }
        public int Count { get; set; }
        public DateTime First { get; init; }
        public DateTime Last { get; set; }
    }
}
