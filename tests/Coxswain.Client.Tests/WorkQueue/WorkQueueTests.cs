using Coxswain.Client.WorkQueue;

namespace Coxswain.Client.Tests.WorkQueue;

public sealed class WorkQueueTests
{
    [Fact]
    public async Task DuplicatesMergeWhileQueued()
    {
        var q = new WorkQueue<string>();
        q.Add("a");
        q.Add("b");
        q.Add("a");
        Assert.Equal(2, q.Length);
        Assert.Equal(("a", false), await q.GetAsync());
        Assert.Equal(("b", false), await q.GetAsync());
        Assert.Equal(0, q.Length);
    }

    [Fact]
    public async Task KeyReaddedWhileProcessingIsProcessedAgainAfterDone()
    {
        var q = new WorkQueue<string>();
        q.Add("a");
        var (item, _) = await q.GetAsync();
        q.Add("a"); // changed while a worker holds it
        q.Add("a");
        Assert.Equal(0, q.Length); // not handed to a second worker now
        q.Done(item);
        Assert.Equal(1, q.Length);
        Assert.Equal(("a", false), await q.GetAsync());
    }

    [Fact]
    public async Task NoKeyIsProcessedByTwoWorkersAtOnce()
    {
        var q = new WorkQueue<int>();
        var active = new int[5];
        var violations = 0;
        var processed = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        async Task Worker()
        {
            while (true)
            {
                var (key, shutdown) = await q.GetAsync(cts.Token);
                if (shutdown)
                {
                    return;
                }
                if (Interlocked.Increment(ref active[key]) > 1)
                {
                    Interlocked.Increment(ref violations);
                }
                await Task.Delay(1);
                Interlocked.Decrement(ref active[key]);
                Interlocked.Increment(ref processed);
                q.Done(key);
            }
        }
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(Worker)).ToArray();
        for (var i = 0; i < 2000; i++)
        {
            q.Add(i % 5);
            if (i % 50 == 0)
            {
                await Task.Delay(1);
            }
        }
        await q.ShutDownWithDrainAsync(cts.Token);
        await Task.WhenAll(workers);
        Assert.Equal(0, violations);
        Assert.True(processed >= 5);
    }

    [Fact]
    public async Task ShutDownReleasesWaitersAndIgnoresAdds()
    {
        var q = new WorkQueue<string>();
        var waiting = q.GetAsync();
        q.ShutDown();
        Assert.True((await waiting).Shutdown);
        q.Add("late");
        Assert.Equal(0, q.Length);
        Assert.True((await q.GetAsync()).Shutdown);
    }

    [Fact]
    public async Task ShutDownWithDrainWaitsForItemsInFlight()
    {
        var q = new WorkQueue<string>();
        q.Add("a");
        q.Add("b");
        var (a, _) = await q.GetAsync();
        var drain = q.ShutDownWithDrainAsync();
        await Task.Delay(50);
        Assert.False(drain.IsCompleted); // "a" is processing, "b" still queued
        q.Add("c"); // ignored after shutdown
        q.Done(a);
        var (b, shutdown) = await q.GetAsync(); // queued items are still handed out
        Assert.False(shutdown);
        Assert.Equal("b", b);
        Assert.False(drain.IsCompleted);
        q.Done(b);
        await drain.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True((await q.GetAsync()).Shutdown);
    }

    [Fact]
    public async Task CancelledGetDoesNotSwallowAWakeUp()
    {
        var q = new WorkQueue<string>();
        using var cts = new CancellationTokenSource();
        var cancelled = q.GetAsync(cts.Token);
        var second = q.GetAsync();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        q.Add("x");
        Assert.Equal("x", (await second.WaitAsync(TimeSpan.FromSeconds(5))).Item);
    }

    [Fact]
    public async Task AddAfterDelaysAndKeepsTheEarliestTime()
    {
        using var q = new DelayingQueue<string>();
        q.AddAfter("a", TimeSpan.FromSeconds(30));
        q.AddAfter("a", TimeSpan.FromMilliseconds(50));
        Assert.Equal(0, q.Length);
        var (item, _) = await q.GetAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("a", item);
    }

    [Fact]
    public async Task RateLimitedAddsBackOffPerItemAndForgetResets()
    {
        using var q = new RateLimitingQueue<string>();
        q.AddRateLimited("a"); // 5 ms
        var (item, _) = await q.GetAsync().WaitAsync(TimeSpan.FromSeconds(5));
        q.Done(item);
        q.AddRateLimited("a"); // 10 ms
        q.AddRateLimited("a"); // 20 ms (merges with the earlier, shorter wait)
        Assert.Equal(3, q.NumRequeues("a"));
        Assert.Equal(0, q.NumRequeues("b"));
        q.Forget("a");
        Assert.Equal(0, q.NumRequeues("a"));
    }
}
