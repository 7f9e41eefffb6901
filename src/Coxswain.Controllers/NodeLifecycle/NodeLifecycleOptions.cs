namespace Coxswain.Controllers.NodeLifecycle;

/// <summary>kube-controller-manager's --node-monitor-grace-period and --node-monitor-period.</summary>
public sealed record NodeLifecycleOptions
{
    /// <summary>A node whose lease was not renewed for this long is marked Unknown and tainted unreachable.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>How often nodes and NoExecute evictions are checked.</summary>
    public TimeSpan MonitorPeriod { get; init; } = TimeSpan.FromSeconds(5);
}
