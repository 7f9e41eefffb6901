namespace Coxswain.Client.WorkQueue;

/// <summary>
/// A <see cref="WorkQueue{T}"/> that can also add a key later (client-go's DelayingInterface). A key waiting with
/// several delays is added once, at the earliest time asked for.
/// </summary>
public class DelayingQueue<T> : WorkQueue<T>, IDisposable where T : notnull
{
    private readonly Lock _waitLock = new();
    private readonly PriorityQueue<T, DateTimeOffset> _heap = new();
    private readonly Dictionary<T, DateTimeOffset> _readyAt = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;

    public DelayingQueue(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _ = Task.Run(WaitLoopAsync);
    }

    /// <summary>Adds <paramref name="item"/> after <paramref name="delay"/> (at once if it is not positive).</summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        if (ShuttingDown)
        {
            return;
        }
        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }
        var at = _time.GetUtcNow() + delay;
        lock (_waitLock)
        {
            if (_readyAt.TryGetValue(item, out var existing) && existing <= at)
            {
                return;
            }
            _readyAt[item] = at;
            _heap.Enqueue(item, at);
        }
        _wake.Release();
    }

    public override void ShutDown()
    {
        base.ShutDown();
        _stop.Cancel();
    }

    private async Task WaitLoopAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            var next = TimeSpan.FromSeconds(10);
            var ready = new List<T>();
            lock (_waitLock)
            {
                var now = _time.GetUtcNow();
                while (_heap.TryPeek(out var item, out var at))
                {
                    if (!_readyAt.TryGetValue(item, out var current) || current != at)
                    {
                        _heap.Dequeue(); // superseded by an earlier AddAfter
                        continue;
                    }
                    if (at > now)
                    {
                        next = at - now;
                        break;
                    }
                    _heap.Dequeue();
                    _readyAt.Remove(item);
                    ready.Add(item);
                }
            }
            foreach (var item in ready)
            {
                Add(item);
            }
            try
            {
                await _wake.WaitAsync(next, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        ShutDown();
        GC.SuppressFinalize(this);
    }
}
