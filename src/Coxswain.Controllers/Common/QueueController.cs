using Coxswain.Client.Cache;
using Coxswain.Client.WorkQueue;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Coxswain.Controllers.Common;

/// <summary>
/// A controller as upstream writes them: informer handlers only compute a key and <see cref="Enqueue"/> it; workers
/// take keys off a rate-limited queue (never the same key on two workers at once) and run <see cref="SyncAsync"/>,
/// which reads the informer caches, compares desired with observed state, acts and writes status. A failed sync
/// is retried with per-key exponential backoff; a successful one resets it.
/// </summary>
public abstract partial class QueueController : IController
{
    protected QueueController(string name, ILogger logger)
    {
        Name = name;
        Logger = logger;
    }

    public string Name { get; }
    protected ILogger Logger { get; }
    protected RateLimitingQueue<string> Queue { get; } = new(RateLimiters.DefaultController<string>());

    /// <summary>Queues <paramref name="key"/> ("namespace/name") for a sync.</summary>
    protected void Enqueue(string key) => Queue.Add(key);

    /// <summary>Queues an object's own key on every add, update and delete the informer reports.</summary>
    protected void EnqueueOnEveryChange<T>(SharedInformer<T> informer) where T : class, IKubernetesObject<V1ObjectMeta> =>
        informer.AddEventHandler(
            onAdd: o => Enqueue(Indexer<T>.KeyOf(o)),
            onUpdate: (_, o) => Enqueue(Indexer<T>.KeyOf(o)),
            onDelete: (o, _) => Enqueue(Indexer<T>.KeyOf(o)));

    /// <summary>Queues <paramref name="key"/> after <paramref name="delay"/> (e.g. minReadySeconds, a deadline).</summary>
    protected void EnqueueAfter(string key, TimeSpan delay) => Queue.AddAfter(key, delay);

    /// <summary>Waits for every informer the controller reads.</summary>
    protected abstract Task<bool> WaitForCacheSyncAsync(CancellationToken ct);

    /// <summary>Brings the object named by <paramref name="key"/> to its desired state; throws to be retried.</summary>
    public abstract Task SyncAsync(string key, CancellationToken ct);

    public async Task RunAsync(int workers, CancellationToken ct)
    {
        if (!await WaitForCacheSyncAsync(ct))
        {
            return;
        }
        LogStarted(Logger, Name, workers);
        using var stop = ct.Register(Queue.ShutDown);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(ct), CancellationToken.None)));
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        while (true)
        {
            var (key, shutdown) = await Queue.GetAsync(CancellationToken.None);
            if (shutdown)
            {
                return;
            }
            try
            {
                await SyncAsync(key, ct);
                Queue.Forget(key);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                LogSyncFailed(Logger, Name, key, e.Message);
                Queue.AddRateLimited(key);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Controller}: started with {Workers} workers")]
    private static partial void LogStarted(ILogger logger, string controller, int workers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Controller}: sync of {Key} failed, will retry: {Error}")]
    private static partial void LogSyncFailed(ILogger logger, string controller, string key, string error);
}

/// <summary>What the controller manager runs.</summary>
public interface IController
{
    string Name { get; }

    Task RunAsync(int workers, CancellationToken ct);
}
