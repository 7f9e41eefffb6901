using Coxswain.Client.Cache;
using Coxswain.Client.Tests.Support;
using k8s;
using k8s.Models;

namespace Coxswain.Client.Tests.Cache;

public sealed class IndexerTests
{
    [Fact]
    public void KeysAreNamespaceSlashNameOrName()
    {
        Assert.Equal("ns/p", Indexer<V1Pod>.KeyOf(Pods.New("ns", "p")));
        Assert.Equal("n1", Indexer<V1Node>.KeyOf(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } }));
        Assert.Equal(("ns", "p"), Indexer<V1Pod>.SplitKey("ns/p"));
        Assert.Equal(("", "n1"), Indexer<V1Pod>.SplitKey("n1"));
    }

    [Fact]
    public void IndicesFollowUpdatesAndDeletes()
    {
        var indexer = new Indexer<V1Pod>();
        indexer.AddIndexer("node", p => string.IsNullOrEmpty(p.Spec.NodeName) ? [] : [p.Spec.NodeName]);
        indexer.Upsert(Pods.New("a", "p1", "n1"));
        indexer.Upsert(Pods.New("b", "p2", "n1"));
        Assert.Equal(2, indexer.ByIndex("node", "n1").Count);
        indexer.Upsert(Pods.New("a", "p1", "n2")); // moved
        Assert.Single(indexer.ByIndex("node", "n1"));
        Assert.Single(indexer.ByIndex("node", "n2"));
        indexer.Delete("b/p2");
        Assert.Empty(indexer.ByIndex("node", "n1"));
        Assert.Single(indexer.ByIndex(Indexer<V1Pod>.NamespaceIndex, "a"));
        Assert.Throws<KeyNotFoundException>(() => indexer.ByIndex("missing", "x"));
    }

    [Fact]
    public void ListerFiltersByNamespaceAndLabelSelector()
    {
        var indexer = new Indexer<V1Pod>();
        indexer.Upsert(Pods.New("a", "web", labels: new Dictionary<string, string> { ["app"] = "web", ["tier"] = "fe" }));
        indexer.Upsert(Pods.New("a", "db", labels: new Dictionary<string, string> { ["app"] = "db" }));
        indexer.Upsert(Pods.New("b", "web", labels: new Dictionary<string, string> { ["app"] = "web" }));
        var lister = new Lister<V1Pod>(indexer);
        var web = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } };
        Assert.Equal(2, lister.List(web).Count);
        Assert.Single(lister.List("a", web));
        var notDb = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "NotIn", Values = ["db"] }] };
        Assert.Equal(2, lister.List(notDb).Count);
        var hasTier = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "Exists" }] };
        Assert.Equal("web", Assert.Single(lister.List(hasTier)).Metadata.Name);
        Assert.Equal(3, lister.List(new V1LabelSelector()).Count); // empty selects everything
        Assert.False(LabelSelectors.Matches(null, new Dictionary<string, string>())); // null selects nothing
    }
}

public sealed class SharedInformerUnitTests
{
    [Fact]
    public async Task HandlersSeeTheCacheAlreadyUpdated()
    {
        var lw = new FakeListWatch();
        var informer = new SharedInformer<V1Pod>(lw);
        informer.AddIndexer("node", p => string.IsNullOrEmpty(p.Spec.NodeName) ? [] : [p.Spec.NodeName]);
        var inconsistencies = 0;
        var seen = 0;
        informer.AddEventHandler(
            onAdd: p =>
            {
                if (informer.Lister.Get(p.Metadata.NamespaceProperty, p.Metadata.Name) != p
                    || !informer.Lister.ByIndex("node", p.Spec.NodeName).Contains(p))
                {
                    inconsistencies++;
                }
                seen++;
            },
            onDelete: (p, _) =>
            {
                if (informer.Lister.Get(p.Metadata.NamespaceProperty, p.Metadata.Name) != null || informer.Lister.ByIndex("node", p.Spec.NodeName).Count != 0)
                {
                    inconsistencies++;
                }
                seen++;
            });
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForCacheSyncAsync(cts.Token);
        for (var i = 0; i < 100; i++)
        {
            lw.Push(WatchEventType.Added, Pods.New("ns", $"p{i}", $"n{i}"));
            lw.Push(WatchEventType.Deleted, Pods.New("ns", $"p{i}", $"n{i}"));
        }
        await Eventually.TrueAsync(() => Volatile.Read(ref seen) == 200, "all events");
        Assert.Equal(0, inconsistencies);
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task ResyncRedeliversEverythingAsUpdates()
    {
        var lw = new FakeListWatch(Pods.New("ns", "a"), Pods.New("ns", "b"));
        var informer = new SharedInformer<V1Pod>(lw, new InformerOptions { ResyncPeriod = TimeSpan.FromMilliseconds(100) });
        var updates = new List<string>();
        informer.AddEventHandler(onUpdate: (o, n) =>
        {
            Assert.Same(o, n);
            lock (updates)
            {
                updates.Add(n.Metadata.Name);
            }
        });
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await Eventually.TrueAsync(() => { lock (updates) { return updates.Count >= 4; } }, "two resyncs");
        lock (updates)
        {
            Assert.Contains("a", updates);
            Assert.Contains("b", updates);
        }
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task LateHandlersGetTheCachedObjectsAsAdds()
    {
        var lw = new FakeListWatch(Pods.New("ns", "a"));
        var informer = new SharedInformer<V1Pod>(lw);
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForCacheSyncAsync(cts.Token);
        var handler = new RecordingHandler();
        informer.AddEventHandler(handler);
        Assert.Equal(["add a"], handler.Log);
        await cts.CancelAsync();
        await run;
    }
}
