using Coxswain.Client.Cache;
using Coxswain.Client.ListWatch;
using Coxswain.Client.Tests.Support;
using k8s;
using k8s.Models;

namespace Coxswain.Client.Tests.Cache;

/// <summary>
/// 410 Gone against a server that compacts every second and keeps no old revisions: an informer whose watch was
/// held back past compaction must relist and reconcile its cache, reporting deletions it missed.
/// </summary>
public sealed class InformerRelistTests() : LiveServerTests("--compaction-interval", "00:00:01", "--compaction-retain-revisions", "0")
{
    [Fact]
    public async Task GoneWatchRelistsAndReconcilesTheCache()
    {
        var ns = Pods.NewNamespace();
        await Pods.CreateNamespaceAsync(Api, ns);
        foreach (var name in new[] { "keep", "change", "remove" })
        {
            await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, name), ns);
        }
        var gate = new GatedListWatch(new ListWatcher<V1Pod>(Api, ResourceTypes.Pods, ns));
        var informer = new SharedInformer<V1Pod>(gate, new InformerOptions { RetryDelay = TimeSpan.FromMilliseconds(100) });
        var handler = new RecordingHandler();
        informer.AddEventHandler(handler);
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForCacheSyncAsync(cts.Token);
        Assert.Equal(3, informer.Indexer.Count);
        var before = long.Parse(informer.LastSyncResourceVersion);

        gate.CutAndHold();
        await Api.CoreV1.DeleteNamespacedPodAsync("remove", ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        await Api.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"v":"2"}}}""", V1Patch.PatchType.MergePatch), "change", ns);
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "new"), ns);
        for (var i = 0; i < 5; i++)
        {
            await Api.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"filler{i}" } }, ns);
        }
        await Task.Delay(TimeSpan.FromSeconds(3)); // at least two compactions past the informer's version
        gate.Reopen();

        await Eventually.TrueAsync(() => informer.ListCount >= 2, "relist after 410", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => informer.Lister.Get(ns, "remove") == null, "missed delete applied");
        Assert.Contains("delete? remove", handler.Log);
        Assert.Contains("add new", handler.Log);
        Assert.Contains("update change", handler.Log);
        Assert.Equal(["change", "keep", "new"], informer.Lister.List(ns).Select(p => p.Metadata.Name).Order());
        Assert.Equal("2", informer.Lister.Get(ns, "change")!.Metadata.Labels["v"]);
        Assert.True(long.Parse(informer.LastSyncResourceVersion) > before);

        // And it keeps watching after the relist.
        await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "later"), ns);
        await Eventually.TrueAsync(() => handler.Contains("add later"), "watch after relist");
        await cts.CancelAsync();
        await run;
    }
}
