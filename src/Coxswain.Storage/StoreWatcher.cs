using System.Threading.Channels;

namespace Coxswain.Storage;

/// <summary>
/// One watch. It subscribes to live events first and holds them back while it reads the history it missed
/// (revisions in (from, subscribe point]), then hands the held-back events over, so there is no gap and no duplicate.
/// </summary>
internal sealed class StoreWatcher : IStoreWatch
{
    private const int HistoryBatch = 256;

    private readonly Channel<StoreEvent> _channel;
    private readonly WatchBroadcaster _broadcaster;
    private readonly Func<long> _compactedRevision;
    private readonly int _capacity;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private Queue<StoreEvent>? _pending;
    private volatile bool _live;
    private bool _finished;
    private long _from;
    private Task _catchUp = Task.CompletedTask;
    private CancellationTokenRegistration _cancellation;

    private StoreWatcher(string prefix, int capacity, WatchBroadcaster broadcaster, Func<long> compactedRevision)
    {
        Prefix = prefix;
        _capacity = capacity;
        _broadcaster = broadcaster;
        _compactedRevision = compactedRevision;
        _channel = Channel.CreateBounded<StoreEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
    }

    public string Prefix { get; }

    public ChannelReader<StoreEvent> Events => _channel.Reader;

    /// <summary>
    /// Starts a watch of events under <paramref name="prefix"/> with revision &gt; <paramref name="fromRevision"/>
    /// (0 = from the newest published revision).
    /// </summary>
    public static StoreWatcher Start(
        string prefix,
        long fromRevision,
        int capacity,
        WatchBroadcaster broadcaster,
        IWatchHistory history,
        Func<long> compactedRevision,
        CancellationToken ct)
    {
        var watcher = new StoreWatcher(prefix, capacity, broadcaster, compactedRevision);
        watcher._pending = new Queue<StoreEvent>();
        watcher._from = fromRevision;

        long upTo = broadcaster.Subscribe(watcher);
        if (!watcher._live)
        {
            watcher._catchUp = watcher.CatchUpAsync(history, upTo);
        }

        if (ct.CanBeCanceled)
        {
            watcher._cancellation = ct.UnsafeRegister(static s => ((StoreWatcher)s!).Stop(), watcher);
        }

        return watcher;
    }

    /// <summary>
    /// Called by the broadcaster under its lock when subscribing, before any <see cref="Offer"/>:
    /// decides where history ends and live events start.
    /// </summary>
    internal void OnSubscribed(long published)
    {
        if (_from == 0)
        {
            _from = published;
        }

        if (_from >= published)
        {
            _pending = null;
            _live = true;
        }
    }

    /// <summary>
    /// Called by the broadcaster (under its lock, in revision order) for each matching event.
    /// Returns false when this watcher is finished and should be dropped.
    /// </summary>
    internal bool Offer(StoreEvent e)
    {
        if (e.Revision <= _from)
        {
            return true;
        }

        if (_live)
        {
            return _channel.Writer.TryWrite(e) || Overflow();
        }

        lock (_gate)
        {
            if (_finished)
            {
                return false;
            }

            if (_live)
            {
                return _channel.Writer.TryWrite(e) || Overflow();
            }

            _pending!.Enqueue(e);
            return _pending.Count <= _capacity || Overflow();
        }
    }

    /// <summary>Ends the watch; the reader completes without error once drained.</summary>
    internal void Stop()
    {
        Finish(null);
        _stop.Cancel();
        _broadcaster.Unsubscribe(this);
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        _cancellation.Unregister();
        try
        {
            await _catchUp.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private bool Overflow()
    {
        Finish(new CompactedException(
            _compactedRevision(),
            $"watcher of '{Prefix}' fell more than {_capacity} events behind; list again and watch from the new revision"));
        return false;
    }

    private void Finish(Exception? error)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
            _pending = null;
        }

        _channel.Writer.TryComplete(error);
    }

    private async Task CatchUpAsync(IWatchHistory history, long upTo)
    {
        await Task.Yield(); // never read history on the caller's stack
        var batch = new List<StoreEvent>(HistoryBatch);
        CancellationToken ct = _stop.Token;
        try
        {
            long after = _from;
            while (after < upTo)
            {
                batch.Clear();
                await history.ReadHistoryAsync(Prefix, after, upTo, HistoryBatch, batch, ct).ConfigureAwait(false);
                foreach (StoreEvent e in batch)
                {
                    await _channel.Writer.WriteAsync(e, ct).ConfigureAwait(false);
                }

                if (batch.Count < HistoryBatch)
                {
                    break;
                }

                after = batch[^1].Revision;
            }

            while (true)
            {
                StoreEvent[] held;
                lock (_gate)
                {
                    if (_finished)
                    {
                        return;
                    }

                    if (_pending!.Count == 0)
                    {
                        _pending = null;
                        _live = true;
                        return;
                    }

                    held = _pending.ToArray();
                    _pending.Clear();
                }

                foreach (StoreEvent e in held)
                {
                    await _channel.Writer.WriteAsync(e, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
        catch (Exception ex)
        {
            Finish(ex);
            _broadcaster.Unsubscribe(this);
        }
    }
}
