using Coxswain.Client.ListWatch;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Client.Cache;

/// <summary>
/// Keeps a local, indexed cache of one resource type in step with the API server and tells handlers what changed
/// (client-go's SharedIndexInformer with its Reflector). It lists, then watches from the list's resourceVersion with
/// bookmarks; a dropped watch resumes from the last version seen; 410 Gone relists and reconciles the cache against
/// the new list, reporting objects that vanished in the gap as deletions with final state unknown.
/// <para>
/// Each change is applied to the cache (items and indices together) before handlers hear of it, and handlers are
/// called one change at a time, so a handler never sees a half-applied cache. Cached objects are shared: copy
/// before mutating.
/// </para>
/// </summary>
public sealed partial class SharedInformer<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IListWatch<T> _listWatcher;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _dispatch = new();
    private readonly List<IResourceEventHandler<T>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    public SharedInformer(IListWatch<T> listWatcher, InformerOptions? options = null)
    {
        _listWatcher = listWatcher;
        _options = options ?? new InformerOptions();
        _logger = _options.Logger ?? NullLogger.Instance;
        Indexer = new Indexer<T>();
        Lister = new Lister<T>(Indexer);
    }

    /// <summary>An informer over all objects of <paramref name="type"/> (all namespaces).</summary>
    public SharedInformer(Kubernetes client, ResourceType<T> type, InformerOptions? options = null)
        : this(new ListWatcher<T>(client, type), options)
    {
    }

    /// <summary>The cache. Add custom indexers here (e.g. pods by spec.nodeName).</summary>
    public Indexer<T> Indexer { get; }

    /// <summary>Read access to the cache for sync functions.</summary>
    public Lister<T> Lister { get; }

    /// <summary>True once the first list has been applied to the cache.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion of the last list, watch event or bookmark applied.</summary>
    public string LastSyncResourceVersion { get; private set; } = "";

    /// <summary>How many times the informer has listed (1 after the initial list; more after 410 Gone).</summary>
    public int ListCount { get; private set; }

    /// <summary>Adds a custom index (e.g. "nodeName" → pod.Spec.NodeName).</summary>
    public void AddIndexer(string name, IndexFunc<T> func) => Indexer.AddIndexer(name, func);

    /// <summary>
    /// Registers a handler. If the cache already holds objects, the handler first gets an OnAdd for each, so a
    /// late handler sees the same world as an early one.
    /// </summary>
    public void AddEventHandler(IResourceEventHandler<T> handler)
    {
        lock (_dispatch)
        {
            _handlers.Add(handler);
            foreach (var obj in Indexer.List())
            {
                Invoke(handler, h => h.OnAdd(obj));
            }
        }
    }

    /// <summary>Registers delegates as a handler.</summary>
    public void AddEventHandler(Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T, bool>? onDelete = null)
        => AddEventHandler(new ResourceEventHandlerFuncs<T>(onAdd, onUpdate, onDelete));

    /// <summary>Completes when the cache has synced (true) or <paramref name="ct"/> fires (false).</summary>
    public async Task<bool> WaitForCacheSyncAsync(CancellationToken ct)
    {
        try
        {
            await _synced.Task.WaitAsync(ct).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Runs list/watch (and resync) until <paramref name="ct"/> is cancelled. Call once.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("informer already started");
        }
        var resync = _options.ResyncPeriod > TimeSpan.Zero ? ResyncLoopAsync(ct) : Task.CompletedTask;
        try
        {
            await ReflectAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        try
        {
            await resync.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task ReflectAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            ListResult<T> list;
            try
            {
                list = await _listWatcher.ListAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogListFailed(_logger, _listWatcher.Type.Plural, e);
                await Task.Delay(_options.RetryDelay, ct).ConfigureAwait(false);
                continue;
            }
            Replace(list);
            await WatchUntilGoneAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Watches, resuming after drops, until the server says the version is gone (then the caller relists).</summary>
    private async Task WatchUntilGoneAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var min = (int)_options.MinWatchTimeout.TotalSeconds;
            var timeout = min + Random.Shared.Next(Math.Max(1, min));
            try
            {
                await foreach (var ev in _listWatcher.WatchAsync(LastSyncResourceVersion, timeout, ct).ConfigureAwait(false))
                {
                    Apply(ev);
                }
                // The server closed the stream (its timeout): resume from the last version seen.
            }
            catch (ApiStatusException e) when (e.IsGone)
            {
                LogWatchGone(_logger, _listWatcher.Type.Plural, LastSyncResourceVersion);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogWatchDropped(_logger, _listWatcher.Type.Plural, LastSyncResourceVersion, e);
                await Task.Delay(_options.RetryDelay, ct).ConfigureAwait(false);
            }
        }
    }

    private void Apply(WatchEvent<T> ev)
    {
        lock (_dispatch)
        {
            switch (ev.Type)
            {
                case WatchEventType.Added:
                case WatchEventType.Modified:
                    var old = Indexer.Upsert(ev.Object!);
                    if (old == null)
                    {
                        Notify(h => h.OnAdd(ev.Object!));
                    }
                    else
                    {
                        Notify(h => h.OnUpdate(old, ev.Object!));
                    }
                    break;
                case WatchEventType.Deleted:
                    Indexer.Delete(Indexer<T>.KeyOf(ev.Object!));
                    Notify(h => h.OnDelete(ev.Object!, false));
                    break;
            }
            if (ev.ResourceVersion.Length > 0)
            {
                LastSyncResourceVersion = ev.ResourceVersion;
            }
        }
    }

    /// <summary>Reconciles the cache with a fresh list: adds, updates, and deletions of what is no longer listed.</summary>
    private void Replace(ListResult<T> list)
    {
        lock (_dispatch)
        {
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var obj in list.Items)
            {
                listed.Add(Indexer<T>.KeyOf(obj));
                var old = Indexer.Upsert(obj);
                if (old == null)
                {
                    Notify(h => h.OnAdd(obj));
                }
                else
                {
                    Notify(h => h.OnUpdate(old, obj));
                }
            }
            foreach (var key in Indexer.ListKeys())
            {
                if (!listed.Contains(key) && Indexer.Delete(key) is { } stale)
                {
                    Notify(h => h.OnDelete(stale, true));
                }
            }
            LastSyncResourceVersion = list.ResourceVersion;
            ListCount++;
        }
        _synced.TrySetResult();
    }

    private async Task ResyncLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.ResyncPeriod);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            if (!HasSynced)
            {
                continue;
            }
            lock (_dispatch)
            {
                foreach (var obj in Indexer.List())
                {
                    Notify(h => h.OnUpdate(obj, obj));
                }
            }
        }
    }

    private void Notify(Action<IResourceEventHandler<T>> call)
    {
        foreach (var handler in _handlers)
        {
            Invoke(handler, call);
        }
    }

    private void Invoke(IResourceEventHandler<T> handler, Action<IResourceEventHandler<T>> call)
    {
        try
        {
            call(handler);
        }
        catch (Exception e)
        {
            // One faulty handler must not stop the informer or starve the others.
            LogHandlerFailed(_logger, _listWatcher.Type.Plural, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "informer {Resource}: list failed; retrying")]
    private static partial void LogListFailed(ILogger logger, string resource, Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "informer {Resource}: resourceVersion {Rv} is gone (410); relisting")]
    private static partial void LogWatchGone(ILogger logger, string resource, string rv);

    [LoggerMessage(Level = LogLevel.Information, Message = "informer {Resource}: watch dropped at resourceVersion {Rv}; resuming")]
    private static partial void LogWatchDropped(ILogger logger, string resource, string rv, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "informer {Resource}: event handler threw")]
    private static partial void LogHandlerFailed(ILogger logger, string resource, Exception e);
}
