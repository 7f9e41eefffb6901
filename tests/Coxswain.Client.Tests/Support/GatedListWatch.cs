using System.Runtime.CompilerServices;
using Coxswain.Client.ListWatch;
using k8s.Models;

namespace Coxswain.Client.Tests.Support;

/// <summary>
/// Wraps the real list/watch so a test can cut the current watch connection and hold the next one back, the way a
/// network partition would, while writing to the server in the gap.
/// </summary>
public sealed class GatedListWatch(IListWatch<V1Pod> inner) : IListWatch<V1Pod>
{
    private readonly Lock _lock = new();
    private CancellationTokenSource _cut = new();
    private TaskCompletionSource _open = Open();

    public ResourceType<V1Pod> Type => inner.Type;

    /// <summary>Versions each watch started from, in order.</summary>
    public List<string> WatchedFrom { get; } = [];

    public Task<ListResult<V1Pod>> ListAsync(CancellationToken ct) => inner.ListAsync(ct);

    /// <summary>Drops the current watch and holds new ones until <see cref="Reopen"/>.</summary>
    public void CutAndHold()
    {
        lock (_lock)
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _cut.Cancel();
            _cut = new CancellationTokenSource();
        }
    }

    public void Reopen()
    {
        lock (_lock)
        {
            _open.TrySetResult();
        }
    }

    public async IAsyncEnumerable<WatchEvent<V1Pod>> WatchAsync(string resourceVersion, int timeoutSeconds, [EnumeratorCancellation] CancellationToken ct)
    {
        Task open;
        CancellationToken cut;
        lock (_lock)
        {
            open = _open.Task;
            cut = _cut.Token;
        }
        await open.WaitAsync(ct);
        lock (WatchedFrom)
        {
            WatchedFrom.Add(resourceVersion);
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, cut);
        await foreach (var ev in inner.WatchAsync(resourceVersion, timeoutSeconds, linked.Token))
        {
            yield return ev;
        }
    }

    private static TaskCompletionSource Open()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }
}
