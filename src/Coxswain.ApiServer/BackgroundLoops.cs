using Coxswain.ApiServer.Registry;
using Microsoft.Extensions.Logging;

namespace Coxswain.ApiServer;

/// <summary>
/// Work the API server does on its own after start. Empty for now: namespace finalization and
/// garbage collection come here until the controller manager exists.
/// </summary>
internal sealed class BackgroundLoops : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];

    public static BackgroundLoops Start(ObjectRegistry registry, ILoggerFactory loggerFactory) => new();

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
