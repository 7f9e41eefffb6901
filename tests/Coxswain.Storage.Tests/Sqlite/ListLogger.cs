using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Coxswain.Storage.Tests.Sqlite;

/// <summary>Keeps the event ids a component logged, so a test can see that a rare path ran.</summary>
public sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> _entries = new();

    public IReadOnlyCollection<(LogLevel Level, EventId Id, string Message)> Entries => _entries;

    public bool Has(int eventId) => _entries.Any(e => e.Id.Id == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, eventId, formatter(state, exception)));
}
