using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coxswain.Client.Leadership;

/// <summary>
/// Runs a component only while it holds a coordination.k8s.io/v1 Lease, so that of several replicas (scheduler,
/// controller manager) exactly one acts. Built on the official client's <see cref="LeaderElector"/> and
/// <see cref="LeaseLock"/>; adds what client-go's RunOrDie has and the library lacks: a cancellation token handed to
/// the leader's work that fires when leadership is lost, and releasing the Lease on shutdown.
/// </summary>
public sealed partial class LeaderElection
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _logger;
    private volatile bool _isLeader;
    private volatile string? _leader;

    public LeaderElection(IKubernetes client, LeaderElectionOptions options, ILogger? logger = null)
    {
        _client = client;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Called when this candidate becomes leader. The token is cancelled when leadership is lost or the run is
    /// cancelled: the leader's work must stop then.
    /// </summary>
    public Func<CancellationToken, Task>? OnStartedLeading { get; init; }

    /// <summary>Called when this candidate stops leading (lost the Lease, or shut down).</summary>
    public Action? OnStoppedLeading { get; init; }

    /// <summary>Called when a (new) leader is observed, including this candidate.</summary>
    public Action<string>? OnNewLeader { get; init; }

    /// <summary>True while this candidate holds the Lease.</summary>
    public bool IsLeader => _isLeader;

    /// <summary>The identity last observed holding the Lease.</summary>
    public string? Leader => _leader;

    /// <summary>
    /// Campaigns until this candidate leads, leads until the Lease is lost or <paramref name="ct"/> is cancelled,
    /// then returns (like client-go's RunOrDie: a component that lost leadership should exit or campaign again).
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var leaseLock = new LeaseLock(_client, _options.Namespace, _options.Name, _options.Identity);
        var config = new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        };
        using var elector = new LeaderElector(config);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task work = Task.CompletedTask;
        var wasLeader = false;
        elector.OnStartedLeading += () =>
        {
            _isLeader = wasLeader = true;
            LogStarted(_logger, _options.Identity, _options.Name);
            if (OnStartedLeading != null)
            {
                work = Task.Run(() => OnStartedLeading(leading.Token), CancellationToken.None);
            }
        };
        elector.OnStoppedLeading += () =>
        {
            _isLeader = false;
            leading.Cancel();
            LogStopped(_logger, _options.Identity, _options.Name);
        };
        elector.OnNewLeader += id =>
        {
            _leader = id;
            OnNewLeader?.Invoke(id);
        };
        try
        {
            await elector.RunUntilLeadershipLostAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            _isLeader = false;
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                LogWorkFailed(_logger, _options.Identity, e);
            }
            if (wasLeader && _options.ReleaseOnCancel)
            {
                await ReleaseAsync(leaseLock).ConfigureAwait(false);
            }
            if (wasLeader)
            {
                OnStoppedLeading?.Invoke();
            }
        }
    }

    /// <summary>Clears the holder if it is still us, so another candidate may acquire at once.</summary>
    private async Task ReleaseAsync(LeaseLock leaseLock)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.RenewDeadline);
            var record = await leaseLock.GetAsync(timeout.Token).ConfigureAwait(false);
            if (record?.HolderIdentity != _options.Identity)
            {
                return;
            }
            var now = DateTime.UtcNow;
            await leaseLock.UpdateAsync(new LeaderElectionRecord
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaderTransitions = record.LeaderTransitions,
            }, timeout.Token).ConfigureAwait(false);
            LogReleased(_logger, _options.Identity, _options.Name);
        }
        catch (Exception e)
        {
            LogReleaseFailed(_logger, _options.Identity, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} became leader of lease {Lease}")]
    private static partial void LogStarted(ILogger logger, string identity, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} stopped leading lease {Lease}")]
    private static partial void LogStopped(ILogger logger, string identity, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released lease {Lease}")]
    private static partial void LogReleased(ILogger logger, string identity, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} could not release its lease")]
    private static partial void LogReleaseFailed(ILogger logger, string identity, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Identity}: leader work failed")]
    private static partial void LogWorkFailed(ILogger logger, string identity, Exception e);
}
