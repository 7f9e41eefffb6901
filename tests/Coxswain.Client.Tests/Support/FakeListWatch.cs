using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Coxswain.Client.ListWatch;
using k8s.Models;

namespace Coxswain.Client.Tests.Support;

/// <summary>An in-memory list/watch for informer unit tests: the test pushes watch events by hand.</summary>
public sealed class FakeListWatch(params V1Pod[] initial) : IListWatch<V1Pod>
{
    private readonly Channel<WatchEvent<V1Pod>> _events = Channel.CreateUnbounded<WatchEvent<V1Pod>>();

    public ResourceType<V1Pod> Type => ResourceTypes.Pods;

    public Task<ListResult<V1Pod>> ListAsync(CancellationToken ct) => Task.FromResult(new ListResult<V1Pod>(initial, "1"));

    public void Push(k8s.WatchEventType type, V1Pod pod) => _events.Writer.TryWrite(new WatchEvent<V1Pod>(type, pod, pod.Metadata.ResourceVersion ?? ""));

    public async IAsyncEnumerable<WatchEvent<V1Pod>> WatchAsync(string resourceVersion, int timeoutSeconds, [EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            yield return await _events.Reader.ReadAsync(ct);
        }
    }
}
