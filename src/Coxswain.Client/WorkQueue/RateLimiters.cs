namespace Coxswain.Client.WorkQueue;

/// <summary>Decides how long a key waits before its next retry (client-go's workqueue.RateLimiter).</summary>
public interface IRateLimiter<in T>
{
    /// <summary>The delay before <paramref name="item"/> may be processed again; records one more failure.</summary>
    TimeSpan When(T item);

    /// <summary>Clears the item's failure history (call after a successful sync).</summary>
    void Forget(T item);

    /// <summary>How many times the item has been rate-limited since it was last forgotten.</summary>
    int NumRequeues(T item);
}

/// <summary>
/// Per-item exponential backoff: base * 2^failures, capped. A failing key backs off on its own without slowing
/// healthy keys.
/// </summary>
public sealed class ItemExponentialFailureRateLimiter<T>(TimeSpan baseDelay, TimeSpan maxDelay) : IRateLimiter<T> where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<T, int> _failures = [];

    public TimeSpan When(T item)
    {
        int exp;
        lock (_lock)
        {
            exp = _failures.GetValueOrDefault(item);
            _failures[item] = exp + 1;
        }
        var delay = baseDelay.TotalSeconds * Math.Pow(2, exp);
        return delay >= maxDelay.TotalSeconds || double.IsInfinity(delay) ? maxDelay : TimeSpan.FromSeconds(delay);
    }

    public void Forget(T item)
    {
        lock (_lock)
        {
            _failures.Remove(item);
        }
    }

    public int NumRequeues(T item)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(item);
        }
    }
}

/// <summary>
/// An overall token bucket (qps, burst) shared by all keys, like golang.org/x/time/rate's Reserve: each call takes
/// a token now, possibly going into debt, and the debt is the delay. It bounds a controller's total retry rate.
/// </summary>
public sealed class BucketRateLimiter<T>(double qps, int burst, TimeProvider? time = null) : IRateLimiter<T>
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private double _tokens = burst;
    private DateTimeOffset _last = (time ?? TimeProvider.System).GetUtcNow();

    public TimeSpan When(T item)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (now > _last)
            {
                _tokens = Math.Min(burst, _tokens + (now - _last).TotalSeconds * qps);
                _last = now;
            }
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / qps);
        }
    }

    public void Forget(T item)
    {
    }

    public int NumRequeues(T item) => 0;
}

/// <summary>The largest delay of several limiters; requeues are the largest count.</summary>
public sealed class MaxOfRateLimiter<T>(params IRateLimiter<T>[] limiters) : IRateLimiter<T>
{
    public TimeSpan When(T item)
    {
        var max = TimeSpan.Zero;
        foreach (var l in limiters)
        {
            var d = l.When(item);
            if (d > max)
            {
                max = d;
            }
        }
        return max;
    }

    public void Forget(T item)
    {
        foreach (var l in limiters)
        {
            l.Forget(item);
        }
    }

    public int NumRequeues(T item)
    {
        var max = 0;
        foreach (var l in limiters)
        {
            max = Math.Max(max, l.NumRequeues(item));
        }
        return max;
    }
}

/// <summary>client-go's DefaultControllerRateLimiter.</summary>
public static class RateLimiters
{
    /// <summary>Per-item backoff 5 ms doubling to 1000 s, combined with an overall bucket of 10 qps, burst 100.</summary>
    public static IRateLimiter<T> DefaultController<T>(TimeProvider? time = null) where T : notnull
        => new MaxOfRateLimiter<T>(
            new ItemExponentialFailureRateLimiter<T>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new BucketRateLimiter<T>(10, 100, time));
}
