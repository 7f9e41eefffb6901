using Coxswain.Client.WorkQueue;

namespace Coxswain.Client.Tests.WorkQueue;

public sealed class RateLimiterTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void ExponentialBackoffDoublesPerItemUpToTheCapAndForgetResets()
    {
        var l = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        Assert.Equal(TimeSpan.FromMilliseconds(5), l.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), l.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), l.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), l.When("b")); // per item
        Assert.Equal(3, l.NumRequeues("a"));
        for (var i = 0; i < 40; i++)
        {
            l.When("a");
        }
        Assert.Equal(TimeSpan.FromSeconds(1000), l.When("a"));
        l.Forget("a");
        Assert.Equal(0, l.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), l.When("a"));
    }

    [Fact]
    public void TokenBucketAllowsTheBurstThenTenPerSecond()
    {
        var time = new ManualTime();
        var l = new BucketRateLimiter<string>(10, 100, time);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.Zero, l.When($"k{i}"));
        }
        Assert.Equal(TimeSpan.FromMilliseconds(100), l.When("x"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), l.When("y"));
        time.Now += TimeSpan.FromSeconds(1); // 10 tokens back; 2 owed
        Assert.Equal(TimeSpan.Zero, l.When("z"));
    }

    [Fact]
    public void DefaultControllerLimiterIsTheMaxOfBackoffAndBucket()
    {
        var time = new ManualTime();
        var l = RateLimiters.DefaultController<string>(time);
        Assert.Equal(TimeSpan.FromMilliseconds(5), l.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), l.When("a"));
        for (var i = 0; i < 98; i++)
        {
            l.When($"k{i}");
        }
        // The bucket is empty: a fresh key waits for a token (100 ms) rather than its own 5 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(100), l.When("fresh"));
        Assert.Equal(2, l.NumRequeues("a"));
        l.Forget("a");
        Assert.Equal(0, l.NumRequeues("a"));
    }
}
