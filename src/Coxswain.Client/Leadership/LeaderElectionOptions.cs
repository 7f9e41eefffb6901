namespace Coxswain.Client.Leadership;

/// <summary>
/// Options of one <see cref="LeaderElection"/>, with client-go's defaults: a leader renews its Lease every
/// <see cref="RetryPeriod"/>; if it cannot renew within <see cref="RenewDeadline"/> it steps down; others take the
/// Lease when it has not been renewed for <see cref="LeaseDuration"/>.
/// </summary>
/// <param name="Namespace">Namespace of the coordination.k8s.io/v1 Lease (e.g. kube-system).</param>
/// <param name="Name">Lease name, one per elected component (e.g. kube-scheduler).</param>
/// <param name="Identity">This candidate's unique identity (e.g. host name + random suffix).</param>
public sealed record LeaderElectionOptions(string Namespace, string Name, string Identity)
{
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// On cancellation, a leader clears the Lease's holder so a successor takes over at once instead of waiting out
    /// the lease duration (client-go's ReleaseOnCancel).
    /// </summary>
    public bool ReleaseOnCancel { get; init; } = true;
}
