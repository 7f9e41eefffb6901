using Microsoft.Extensions.Logging;

namespace Coxswain.Client.Cache;

/// <summary>Options of one <see cref="SharedInformer{T}"/>.</summary>
public sealed record InformerOptions
{
    /// <summary>
    /// How often every cached object is re-delivered as an update (old == new), so controllers re-check state they
    /// may have failed to act on. Zero (the default) disables resync.
    /// </summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Lower bound of the per-watch server timeout; each watch uses a random value in [min, 2*min) so that many
    /// clients do not reconnect at once (client-go uses 5 minutes).
    /// </summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Pause before retrying after a failed list or a dropped watch.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public ILogger? Logger { get; init; }
}
