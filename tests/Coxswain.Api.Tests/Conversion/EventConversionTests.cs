using Coxswain.Api.Conversion;
using Coxswain.Api.Resources;
using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Conversion;

public class EventConversionTests
{
    private const string EventsV1 = """
        apiVersion: events.k8s.io/v1
        kind: Event
        metadata:
          name: web.17a
          namespace: default
          uid: 11111111-2222-4333-8444-555555555555
          resourceVersion: "7"
          labels: {x: y}
        eventTime: "2025-01-02T03:04:05.123456Z"
        series: {count: 3, lastObservedTime: "2025-01-02T03:05:05Z"}
        reportingController: kubelet
        reportingInstance: node-1
        action: Pulling
        reason: Pulling
        regarding: {apiVersion: v1, kind: Pod, name: web, namespace: default, uid: abc, fieldPath: "spec.containers{app}"}
        related: {kind: Node, name: node-1}
        note: Pulling image "nginx"
        type: Normal
        deprecatedSource: {component: kubelet, host: node-1}
        deprecatedFirstTimestamp: "2025-01-02T03:04:05Z"
        deprecatedLastTimestamp: "2025-01-02T03:05:05Z"
        deprecatedCount: 3
        """;

    private const string Core = """
        apiVersion: v1
        kind: Event
        metadata:
          name: web.17a
          namespace: default
          uid: 11111111-2222-4333-8444-555555555555
          resourceVersion: "7"
          labels: {x: y}
        eventTime: "2025-01-02T03:04:05.123456Z"
        series: {count: 3, lastObservedTime: "2025-01-02T03:05:05Z"}
        reportingComponent: kubelet
        reportingInstance: node-1
        action: Pulling
        reason: Pulling
        involvedObject: {apiVersion: v1, kind: Pod, name: web, namespace: default, uid: abc, fieldPath: "spec.containers{app}"}
        related: {kind: Node, name: node-1}
        message: Pulling image "nginx"
        type: Normal
        source: {component: kubelet, host: node-1}
        firstTimestamp: "2025-01-02T03:04:05Z"
        lastTimestamp: "2025-01-02T03:05:05Z"
        count: 3
        """;

    [Fact]
    public void EventsV1ToCore()
    {
        var core = EventConversion.ToCore(From<Eventsv1Event>(EventsV1));
        AssertJson(Core, Normalize(core));
    }

    [Fact]
    public void CoreToEventsV1()
    {
        var events = EventConversion.ToEvents(From<Corev1Event>(Core));
        AssertJson(EventsV1, Normalize(events));
    }

    [Fact]
    public void RoundTrip()
    {
        var original = From<Eventsv1Event>(EventsV1);
        Assert.Equal(
            Canonical(Coxswain.Api.Validation.ObjectJson.ToNode(original)),
            Canonical(Coxswain.Api.Validation.ObjectJson.ToNode(EventConversion.ToEvents(EventConversion.ToCore(original)))));
    }

    [Fact]
    public void CatalogConverterStoresEventsAsCore()
    {
        var def = ResourceCatalog.Default.FindByKind("events.k8s.io/v1", "Event")!;
        var stored = def.Converter!.ToStorage(From<Eventsv1Event>(EventsV1));
        Assert.IsType<Corev1Event>(stored);
        Assert.Equal("v1", stored.ApiVersion);
        Assert.IsType<Eventsv1Event>(def.Converter.FromStorage(stored));
    }

    /// <summary>Compares through the same serializer on both sides (timestamps are written by the codec).</summary>
    private static object Normalize<T>(T obj)
        where T : class => Coxswain.Api.Validation.ObjectJson.ToNode(obj)!;
}
