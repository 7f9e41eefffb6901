namespace Coxswain.Client.WorkQueue;

/// <summary>
/// client-go's work queue: FIFO of keys with the guarantees controllers rely on.
/// <list type="bullet">
/// <item>A key is never handed to two workers at once: it is "processing" from <see cref="GetAsync"/> to <see cref="Done"/>.</item>
/// <item>Adding a key that is already queued does nothing (duplicates merge), so a burst of events is one sync.</item>
/// <item>A key added while it is processing is queued again at <see cref="Done"/>, so no change is missed.</item>
/// </list>
/// After <see cref="ShutDown"/>, adds are ignored; keys still queued are handed out, then GetAsync reports shutdown.
/// </summary>
public class WorkQueue<T> where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private TaskCompletionSource? _drained;
    private bool _shuttingDown;

    /// <summary>Number of keys waiting (not counting those being processed).</summary>
    public int Length
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public bool ShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Queues <paramref name="item"/> unless it is already queued; ignored after shutdown.</summary>
    public void Add(T item)
    {
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(item))
            {
                return;
            }
            if (_processing.Contains(item))
            {
                // Re-queued at Done, so one worker at a time still holds it.
                return;
            }
            _queue.Enqueue(item);
            WakeOne();
        }
    }

    /// <summary>
    /// Waits for the next key and marks it processing. Returns Shutdown = true (and a default item) once the queue
    /// is shut down and empty. Every key returned must be given back with <see cref="Done"/>.
    /// </summary>
    public async Task<(T Item, bool Shutdown)> GetAsync(CancellationToken ct = default)
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (_lock)
            {
                if (_queue.Count > 0)
                {
                    var item = _queue.Dequeue();
                    _processing.Add(item);
                    _dirty.Remove(item);
                    return (item, false);
                }
                if (_shuttingDown)
                {
                    return (default!, true);
                }
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
            }
            using (ct.Register(() => waiter.TrySetCanceled(ct)))
            {
                await waiter.Task.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Ends processing of <paramref name="item"/>; if it was added meanwhile, it is queued again now.</summary>
    public void Done(T item)
    {
        lock (_lock)
        {
            _processing.Remove(item);
            if (_dirty.Contains(item))
            {
                _queue.Enqueue(item);
                WakeOne();
            }
            if (_processing.Count == 0)
            {
                _drained?.TrySetResult();
            }
        }
    }

    /// <summary>Stops accepting keys and releases waiting workers; keys being processed are not waited for.</summary>
    public virtual void ShutDown()
    {
        lock (_lock)
        {
            _shuttingDown = true;
            while (_waiters.TryDequeue(out var w))
            {
                w.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Shuts down, then waits until every key handed out has been marked <see cref="Done"/> (queued keys are still
    /// handed to workers and must finish too), so a controller stops without abandoning work mid-sync.
    /// </summary>
    public async Task ShutDownWithDrainAsync(CancellationToken ct = default)
    {
        Task drained;
        lock (_lock)
        {
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
        }
        ShutDown();
        while (true)
        {
            lock (_lock)
            {
                if (_processing.Count == 0 && _queue.Count == 0)
                {
                    return;
                }
                if (drained.IsCompleted)
                {
                    _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    drained = _drained.Task;
                    continue;
                }
            }
            await drained.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private void WakeOne()
    {
        // A cancelled waiter cannot take the wake-up; pass it on to the next.
        while (_waiters.TryDequeue(out var w))
        {
            if (w.TrySetResult())
            {
                return;
            }
        }
    }
}
