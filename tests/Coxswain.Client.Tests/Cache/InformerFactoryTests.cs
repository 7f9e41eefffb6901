using Coxswain.Client.Cache;
using Coxswain.Client.Tests.Support;
using k8s;
using k8s.Models;

namespace Coxswain.Client.Tests.Cache;

/// <summary>The shared informer factory against a real `cox server`.</summary>
public sealed class InformerFactoryTests : LiveServerTests
{
    [Fact]
    public async Task ComponentsShareOneInformerPerTypeAndLateOnesSeeTheCache()
    {
        var ns = Pods.NewNamespace();
        await Pods.CreateNamespaceAsync(Api, ns);
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "early", "node-a"), ns);
        var factory = new InformerFactory(Api);
        using var stop = new CancellationTokenSource();

        // The first component registers and starts the factory.
        var first = factory.For(ResourceTypes.Pods, ns);
        PodIndexes.EnsureByNodeName(first);
        var firstAdds = new List<string>();
        first.AddEventHandler(onAdd: p => { lock (firstAdds) firstAdds.Add(p.Metadata.Name); });
        factory.Start(stop.Token);
        Assert.True(await first.WaitForCacheSyncAsync(stop.Token));

        // A second component asks later: same informer, same index (not built twice), replayed adds, live events.
        var second = factory.For(ResourceTypes.Pods, ns);
        Assert.Same(first, second);
        PodIndexes.EnsureByNodeName(second);
        var secondAdds = new List<string>();
        second.AddEventHandler(onAdd: p => { lock (secondAdds) secondAdds.Add(p.Metadata.Name); });
        factory.Start(stop.Token);
        Assert.Equal(["early"], secondAdds);
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "late", "node-a"), ns);
        await Eventually.TrueAsync(() => { lock (secondAdds) return secondAdds.Count == 2; }, "second handler sees the new pod");
        lock (firstAdds) Assert.Equal(["early", "late"], firstAdds);
        Assert.Equal(2, second.Indexer.ByIndex(PodIndexes.ByNodeName, "node-a").Count);

        // An informer of another type asked for after Start runs at once.
        var nodes = factory.For(ResourceTypes.Nodes);
        Assert.True(await nodes.WaitForCacheSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token));

        await stop.CancelAsync();
        try
        {
            await factory.WhenStoppedAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }
}
