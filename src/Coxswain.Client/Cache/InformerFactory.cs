using Coxswain.Client.ListWatch;
using k8s;
using k8s.Models;

namespace Coxswain.Client.Cache;

/// <summary>
/// One informer per resource type (and namespace) for every component of a process (client-go's
/// SharedInformerFactory): the scheduler and the controllers inside `cox server` share one cache of pods instead of
/// each keeping, decoding and watching its own. Components take their informers, add handlers and indexers, then
/// call <see cref="Start"/>; informers asked for after that start at once. Handlers added late first get an add for
/// every cached object, so the order in which components start does not matter.
/// </summary>
public sealed class InformerFactory(Kubernetes client, InformerOptions? options = null)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(Type, string?), object> _informers = [];
    private readonly List<Func<CancellationToken, Task>> _notStarted = [];
    private readonly List<Task> _running = [];
    private CancellationToken? _started;

    /// <summary>The informer of <paramref name="type"/>, over all namespaces or only <paramref name="ns"/>.</summary>
    public SharedInformer<T> For<T>(ResourceType<T> type, string? ns = null) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_lock)
        {
            if (_informers.TryGetValue((typeof(T), ns), out var existing))
            {
                return (SharedInformer<T>)existing;
            }
            var informer = new SharedInformer<T>(new ListWatcher<T>(client, type, ns), options);
            _informers[(typeof(T), ns)] = informer;
            if (_started is { } ct)
            {
                _running.Add(informer.RunAsync(ct));
            }
            else
            {
                _notStarted.Add(informer.RunAsync);
            }
            return informer;
        }
    }

    /// <summary>Starts every informer not started yet; later calls only start informers created since.</summary>
    public void Start(CancellationToken ct)
    {
        lock (_lock)
        {
            _started ??= ct;
            foreach (var run in _notStarted)
            {
                _running.Add(run(_started.Value));
            }
            _notStarted.Clear();
        }
    }

    /// <summary>Completes when every started informer has stopped (after the start token is cancelled).</summary>
    public Task WhenStoppedAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll(_running);
        }
    }
}
