using Coxswain.ApiServer.Lifecycle;
using Coxswain.ApiServer.Registry;
using Microsoft.Extensions.Logging;

namespace Coxswain.ApiServer;

/// <summary>
/// Work the API server does on its own after start: garbage collection and namespace
/// finalization, until the controller manager takes them over.
/// </summary>
internal sealed class BackgroundLoops : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];

    public static BackgroundLoops Start(ObjectRegistry registry, ILoggerFactory loggerFactory)
    {
        var loops = new BackgroundLoops();
        var gc = new GarbageCollector(registry, new StoredKinds(registry.Catalog), loggerFactory.CreateLogger<GarbageCollector>());
        loops._tasks.Add(Task.Run(() => gc.RunAsync(loops._stop.Token)));
        return loops;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_tasks);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
