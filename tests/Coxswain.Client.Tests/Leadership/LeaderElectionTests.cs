using Coxswain.Client.Leadership;
using Coxswain.Client.Tests.Support;
using k8s;

namespace Coxswain.Client.Tests.Leadership;

public sealed class LeaderElectionTests : LiveServerTests
{
    [Fact]
    public async Task OnlyOneLeadsAndTheOtherTakesOverWhenItReleases()
    {
        var ns = Pods.NewNamespace("le");
        await Pods.CreateNamespaceAsync(Api, ns);
        var leading = 0;
        var maxLeading = 0;
        var led = new List<string>();
        LeaderElection Candidate(string id) => new(Api, new LeaderElectionOptions(ns, "scheduler", id)
        {
            // Far longer than the wait for b below: b can only take over because a released the lease.
            LeaseDuration = TimeSpan.FromMinutes(5),
            RenewDeadline = TimeSpan.FromSeconds(10),
            RetryPeriod = TimeSpan.FromMilliseconds(500),
        })
        {
            OnStartedLeading = async token =>
            {
                var now = Interlocked.Increment(ref leading);
                lock (led)
                {
                    led.Add(id);
                    maxLeading = Math.Max(maxLeading, now);
                }
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    Interlocked.Decrement(ref leading);
                }
            },
        };

        var a = Candidate("a");
        using var ctsA = new CancellationTokenSource();
        var runA = a.RunAsync(ctsA.Token);
        await Eventually.TrueAsync(() => a.IsLeader, "a leads");
        var b = Candidate("b");
        using var ctsB = new CancellationTokenSource();
        var runB = b.RunAsync(ctsB.Token);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);
        Assert.Equal("a", b.Leader);

        await ctsA.CancelAsync();
        await runA.WaitAsync(TimeSpan.FromSeconds(15));
        // Released, not expired: the 5 min lease is far from over.
        await Eventually.TrueAsync(() => b.IsLeader, "b takes over", TimeSpan.FromSeconds(60));
        var lease = await Api.CoordinationV1.ReadNamespacedLeaseAsync("scheduler", ns);
        Assert.Equal("b", lease.Spec.HolderIdentity);
        Assert.Equal(1, maxLeading);
        Assert.Equal(["a", "b"], led);

        await ctsB.CancelAsync();
        await runB.WaitAsync(TimeSpan.FromSeconds(15));
    }
}
