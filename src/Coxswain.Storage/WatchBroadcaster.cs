namespace Coxswain.Storage;

/// <summary>
/// Fans committed events out to watchers. The single writer calls <see cref="Publish"/> after each commit; watchers are
/// grouped by prefix so that one prefix test serves every watcher of that prefix. Publishing never blocks on a watcher:
/// a watcher that cannot take an event is finished with an error and dropped.
/// </summary>
internal sealed class WatchBroadcaster
{
    private readonly object _gate = new();
    private readonly Dictionary<string, PrefixGroup> _byPrefix = new(StringComparer.Ordinal);
    private readonly List<PrefixGroup> _groups = [];
    private readonly List<StoreWatcher> _dropped = [];
    private long _revision;
    private bool _closed;

    public WatchBroadcaster(long revision) => _revision = revision;

    /// <summary>The newest revision published to watchers.</summary>
    public long Revision => Volatile.Read(ref _revision);

    /// <summary>How many watchers are subscribed.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                int n = 0;
                foreach (PrefixGroup group in _groups)
                {
                    n += group.Watchers.Count;
                }

                return n;
            }
        }
    }

    /// <summary>
    /// Subscribes <paramref name="watcher"/> to every event published from now on and returns the revision published so far:
    /// the watcher reads events up to it from history. <see cref="StoreWatcher.OnSubscribed"/> runs under the lock, before
    /// any event can be offered.
    /// </summary>
    public long Subscribe(StoreWatcher watcher)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (!_byPrefix.TryGetValue(watcher.Prefix, out PrefixGroup? group))
            {
                group = new PrefixGroup(watcher.Prefix);
                _byPrefix.Add(watcher.Prefix, group);
                _groups.Add(group);
            }

            long published = _revision;
            watcher.OnSubscribed(published);
            group.Watchers.Add(watcher);
            return published;
        }
    }

    public void Unsubscribe(StoreWatcher watcher)
    {
        lock (_gate)
        {
            RemoveLocked(watcher);
        }
    }

    /// <summary>Hands <paramref name="events"/> (in revision order, all committed) to matching watchers.</summary>
    public void Publish(List<StoreEvent> events, long revision)
    {
        lock (_gate)
        {
            List<PrefixGroup> groups = _groups;
            for (int i = 0; i < events.Count; i++)
            {
                StoreEvent e = events[i];
                string key = e.Kv.Key;
                for (int g = 0; g < groups.Count; g++)
                {
                    PrefixGroup group = groups[g];
                    if (!key.StartsWith(group.Prefix, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    List<StoreWatcher> watchers = group.Watchers;
                    for (int w = 0; w < watchers.Count; w++)
                    {
                        if (!watchers[w].Offer(e))
                        {
                            _dropped.Add(watchers[w]);
                        }
                    }
                }
            }

            Volatile.Write(ref _revision, revision);
            if (_dropped.Count > 0)
            {
                foreach (StoreWatcher watcher in _dropped)
                {
                    RemoveLocked(watcher);
                }

                _dropped.Clear();
            }
        }
    }

    /// <summary>Ends every watch (their readers complete without error) and refuses new ones.</summary>
    public void Close()
    {
        List<StoreWatcher> all = [];
        lock (_gate)
        {
            _closed = true;
            foreach (PrefixGroup group in _groups)
            {
                all.AddRange(group.Watchers);
            }

            _groups.Clear();
            _byPrefix.Clear();
        }

        foreach (StoreWatcher watcher in all)
        {
            watcher.Stop();
        }
    }

    private void RemoveLocked(StoreWatcher watcher)
    {
        if (!_byPrefix.TryGetValue(watcher.Prefix, out PrefixGroup? group) || !group.Watchers.Remove(watcher))
        {
            return;
        }

        if (group.Watchers.Count == 0)
        {
            _byPrefix.Remove(watcher.Prefix);
            _groups.Remove(group);
        }
    }

    private sealed class PrefixGroup(string prefix)
    {
        public string Prefix { get; } = prefix;

        public List<StoreWatcher> Watchers { get; } = [];
    }
}
