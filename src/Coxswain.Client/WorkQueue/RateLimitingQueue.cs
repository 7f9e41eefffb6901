namespace Coxswain.Client.WorkQueue;

/// <summary>
/// The queue controllers use (client-go's RateLimitingInterface): on a failed sync, <see cref="AddRateLimited"/>
/// retries the key after its backoff; on success, <see cref="Forget"/> resets the backoff.
/// </summary>
public sealed class RateLimitingQueue<T> : DelayingQueue<T> where T : notnull
{
    private readonly IRateLimiter<T> _limiter;

    /// <param name="limiter">Defaults to <see cref="RateLimiters.DefaultController{T}"/>.</param>
    /// <param name="time">Clock for delays (tests may pass their own).</param>
    public RateLimitingQueue(IRateLimiter<T>? limiter = null, TimeProvider? time = null)
        : base(time)
    {
        _limiter = limiter ?? RateLimiters.DefaultController<T>(time);
    }

    /// <summary>Adds the key after the rate limiter's delay for it (one more failure is recorded).</summary>
    public void AddRateLimited(T item) => AddAfter(item, _limiter.When(item));

    /// <summary>Clears the key's backoff; it does not remove the key from the queue.</summary>
    public void Forget(T item) => _limiter.Forget(item);

    /// <summary>How many times the key has been retried since it was last forgotten.</summary>
    public int NumRequeues(T item) => _limiter.NumRequeues(item);
}
