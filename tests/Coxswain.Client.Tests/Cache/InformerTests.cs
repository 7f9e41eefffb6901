using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Client.Cache;
using Coxswain.Client.ListWatch;
using Coxswain.Client.Tests.Support;
using k8s;
using k8s.Models;

namespace Coxswain.Client.Tests.Cache;

/// <summary>Informers against a real `cox server`; each test works in its own namespace.</summary>
public sealed class InformerTests : LiveServerTests
{
    private async Task<string> NamespaceAsync()
    {
        var ns = Pods.NewNamespace();
        await Pods.CreateNamespaceAsync(Api, ns);
        return ns;
    }

    private SharedInformer<V1Pod> Informer(string ns, out IListWatch<V1Pod> lw, bool gated = false)
    {
        lw = new ListWatcher<V1Pod>(Api, ResourceTypes.Pods, ns);
        if (gated)
        {
            lw = new GatedListWatch(lw);
        }
        return new SharedInformer<V1Pod>(lw, new InformerOptions { RetryDelay = TimeSpan.FromMilliseconds(100) });
    }

    [Fact]
    public async Task InitialListFillsTheCacheAndSyncs()
    {
        var ns = await NamespaceAsync();
        for (var i = 0; i < 3; i++)
        {
            await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, $"p{i}"), ns);
        }
        var informer = Informer(ns, out _);
        var handler = new RecordingHandler();
        informer.AddEventHandler(handler);
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        Assert.True(await informer.WaitForCacheSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token));
        Assert.True(informer.HasSynced);
        Assert.Equal(3, informer.Lister.List(ns).Count);
        Assert.NotNull(informer.Lister.Get(ns, "p1"));
        Assert.NotNull(informer.Lister.GetByKey($"{ns}/p2"));
        Assert.Equal(["add p0", "add p1", "add p2"], handler.Log.Order());
        Assert.NotEmpty(informer.LastSyncResourceVersion);
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task AddUpdateDeleteArriveInOrder()
    {
        var ns = await NamespaceAsync();
        var informer = Informer(ns, out _);
        var handler = new RecordingHandler();
        V1Pod? updatedOld = null, updatedNew = null;
        informer.AddEventHandler(handler);
        informer.AddEventHandler(onUpdate: (o, n) => (updatedOld, updatedNew) = (o, n));
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForCacheSyncAsync(cts.Token);

        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "a"), ns);
        var patch = new V1Patch("""{"metadata":{"labels":{"x":"1"}}}""", V1Patch.PatchType.MergePatch);
        await Api.CoreV1.PatchNamespacedPodAsync(patch, "a", ns);
        await Api.CoreV1.DeleteNamespacedPodAsync("a", ns, new V1DeleteOptions { GracePeriodSeconds = 0 });

        await Eventually.TrueAsync(() => handler.Contains("delete a"), "delete event");
        var log = handler.Log;
        Assert.Equal("add a", log[0]);
        Assert.Equal("delete a", log[^1]);
        Assert.Contains("update a", log);
        Assert.Null(informer.Lister.Get(ns, "a"));
        Assert.Equal("1", updatedNew!.Metadata.Labels["x"]);
        Assert.True(updatedOld!.Metadata.Labels == null || !updatedOld.Metadata.Labels.ContainsKey("x"));
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task CustomIndexFindsPodsByNodeName()
    {
        var ns = await NamespaceAsync();
        var informer = Informer(ns, out _);
        informer.AddIndexer("nodeName", p => string.IsNullOrEmpty(p.Spec?.NodeName) ? [] : [p.Spec.NodeName]);
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForCacheSyncAsync(cts.Token);
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "a", "n1"), ns);
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "b", "n1"), ns);
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "c", "n2"), ns);
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "d"), ns);
        await Eventually.TrueAsync(() => informer.Indexer.Count == 4, "4 pods cached");
        Assert.Equal(["a", "b"], informer.Lister.ByIndex("nodeName", "n1").Select(p => p.Metadata.Name).Order());
        Assert.Equal(["c"], informer.Lister.ByIndex("nodeName", "n2").Select(p => p.Metadata.Name));
        Assert.Equal(4, informer.Lister.ByIndex(Indexer<V1Pod>.NamespaceIndex, ns).Count);

        await Api.CoreV1.DeleteNamespacedPodAsync("a", ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        await Eventually.TrueAsync(() => informer.Lister.ByIndex("nodeName", "n1").Count == 1, "index follows deletes");
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task DroppedWatchResumesFromTheLastVersionWithoutLosingEvents()
    {
        var ns = await NamespaceAsync();
        var informer = Informer(ns, out var lw, gated: true);
        var gate = (GatedListWatch)lw;
        var handler = new RecordingHandler();
        informer.AddEventHandler(handler);
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForCacheSyncAsync(cts.Token);
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "before"), ns);
        await Eventually.TrueAsync(() => handler.Contains("add before"), "first add");

        gate.CutAndHold();
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "gap1"), ns);
        await Api.CoreV1.DeleteNamespacedPodAsync("before", ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "gap2"), ns);
        await Task.Delay(300);
        Assert.DoesNotContain("add gap1", handler.Log);
        gate.Reopen();

        await Eventually.TrueAsync(() => handler.Contains("add gap2"), "events from the gap");
        Assert.Equal(["add before", "add gap1", "delete before", "add gap2"], handler.Log);
        Assert.Equal(1, informer.ListCount); // resumed, not relisted
        Assert.True(gate.WatchedFrom.Count >= 2);
        Assert.Equal(["gap1", "gap2"], informer.Lister.List(ns).Select(p => p.Metadata.Name).Order());
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task ServerRestartOnTheSameDataDirIsSurvived()
    {
        var ns = await NamespaceAsync();
        var informer = Informer(ns, out _);
        var handler = new RecordingHandler();
        informer.AddEventHandler(handler);
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForCacheSyncAsync(cts.Token);
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "before"), ns);
        await Eventually.TrueAsync(() => handler.Contains("add before"), "first add");

        await Server.StopAsync();
        await using var restarted = await CoxServer.StartAsync(Server.DataDir, Server.Port, "--no-scheduler");
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "after"), ns);
        await Api.CoreV1.DeleteNamespacedPodAsync("before", ns, new V1DeleteOptions { GracePeriodSeconds = 0 });

        await Eventually.TrueAsync(() => handler.Contains("add after") && informer.Lister.Get(ns, "before") == null, "events after restart", TimeSpan.FromSeconds(60));
        Assert.Equal(["after"], informer.Lister.List(ns).Select(p => p.Metadata.Name));
        Assert.Contains(handler.Log, e => e.EndsWith(" before") && e.StartsWith("delete"));
        await cts.CancelAsync();
        await run;
        await restarted.StopAsync();
    }
}
