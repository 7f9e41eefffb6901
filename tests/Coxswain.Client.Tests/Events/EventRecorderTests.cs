using Coxswain.ApiServer.Tests.Harness;
using Coxswain.Client.Events;
using Coxswain.Client.Tests.Support;
using k8s;
using k8s.Models;

namespace Coxswain.Client.Tests.Events;

public sealed class EventRecorderTests : LiveServerTests
{
    [Fact]
    public async Task TheSameEventThreeTimesIsOneEventWithCountThree()
    {
        var ns = Pods.NewNamespace("ev");
        await Pods.CreateNamespaceAsync(Api, ns);
        var pod = await Api.CoreV1.CreateNamespacedPodAsync(Pods.New(ns, "web"), ns);
        await using var recorder = new EventRecorder(Api, "default-scheduler", "node-1");
        for (var i = 0; i < 3; i++)
        {
            recorder.Event(pod, EventTypes.Warning, "FailedScheduling", "0/1 nodes are available");
        }
        recorder.Event(pod, EventTypes.Normal, "Scheduled", "Successfully assigned web to node-1");
        await recorder.FlushAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        var events = (await Api.CoreV1.ListNamespacedEventAsync(ns)).Items;
        Assert.Equal(2, events.Count);
        var failed = Assert.Single(events, e => e.Reason == "FailedScheduling");
        Assert.Equal(3, failed.Count);
        Assert.Equal(EventTypes.Warning, failed.Type);
        Assert.StartsWith("web.", failed.Metadata.Name);
        Assert.Equal("Pod", failed.InvolvedObject.Kind);
        Assert.Equal("v1", failed.InvolvedObject.ApiVersion);
        Assert.Equal(ns, failed.InvolvedObject.NamespaceProperty);
        Assert.Equal("web", failed.InvolvedObject.Name);
        Assert.Equal(pod.Metadata.Uid, failed.InvolvedObject.Uid);
        Assert.Equal("default-scheduler", failed.Source.Component);
        Assert.Equal("node-1", failed.Source.Host);
        Assert.Equal("default-scheduler", failed.ReportingComponent);
        Assert.NotNull(failed.FirstTimestamp);
        Assert.True(failed.LastTimestamp >= failed.FirstTimestamp);
        Assert.Equal(1, Assert.Single(events, e => e.Reason == "Scheduled").Count);

        // What a user sees.
        var describe = await Server.Kubectl().RunAsync($"describe pod web -n {ns}");
        Assert.Equal(0, describe.ExitCode);
        Assert.Contains("FailedScheduling", describe.Stdout);
        Assert.Contains("x3", describe.Stdout);
    }

    [Fact]
    public async Task FailuresAreLoggedNotThrown()
    {
        var pod = Pods.New("no-such-namespace-" + Guid.NewGuid().ToString("N")[..6], "p");
        await using var recorder = new EventRecorder(Api, "test");
        recorder.Event(pod, EventTypes.Normal, "Tried", "into a missing namespace");
        await recorder.FlushAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
    }
}

public sealed class EventCorrelatorTests
{
    private static readonly V1ObjectReference Pod = new() { Kind = "Pod", ApiVersion = "v1", NamespaceProperty = "ns", Name = "web", Uid = "u1" };
    private static readonly V1EventSource Source = new() { Component = "c" };

    [Fact]
    public void RepeatsWithinTheWindowJoinTheSeries()
    {
        var c = new EventCorrelator(TimeSpan.FromMinutes(10));
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var first = c.Observe(Pod, "Normal", "Pulled", "m", Source, t0);
        var second = c.Observe(Pod, "Normal", "Pulled", "m", Source, t0.AddMinutes(9));
        var third = c.Observe(Pod, "Normal", "Pulled", "m", Source, t0.AddMinutes(18)); // within 10 min of the last
        Assert.True(first.IsNew);
        Assert.False(second.IsNew);
        Assert.Equal((first.Name, 3, t0), (third.Name, third.Count, third.FirstTimestamp));
        Assert.StartsWith("web.", first.Name);
    }

    [Fact]
    public void DifferentMessagesOrOldSeriesStartNewEvents()
    {
        var c = new EventCorrelator(TimeSpan.FromMinutes(10));
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var a = c.Observe(Pod, "Normal", "Pulled", "m1", Source, t0);
        var b = c.Observe(Pod, "Normal", "Pulled", "m2", Source, t0);
        var late = c.Observe(Pod, "Normal", "Pulled", "m1", Source, t0.AddMinutes(11));
        Assert.True(b.IsNew);
        Assert.NotEqual(a.Name, b.Name);
        Assert.True(late.IsNew);
        Assert.NotEqual(a.Name, late.Name);
        Assert.Equal(1, late.Count);
    }

    [Fact]
    public void ManyNewEventsInOneSecondGetDistinctNames()
    {
        // A ReplicaSet creating 300 pods records 300 SuccessfulCreate events (distinct messages) within a second.
        var c = new EventCorrelator(TimeSpan.FromMinutes(10));
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var names = Enumerable.Range(0, 300).Select(i => c.Observe(Pod, "Normal", "SuccessfulCreate", $"Created pod: web-{i}", Source, t0).Name).ToHashSet();
        Assert.Equal(300, names.Count);
    }
}
