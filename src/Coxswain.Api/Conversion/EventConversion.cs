using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Conversion;

/// <summary>
/// core/v1 Event ⇄ events.k8s.io/v1 Event, as upstream's pkg/apis/events/v1 conversion:
/// regarding ⇄ involvedObject, note ⇄ message, deprecatedSource ⇄ source,
/// deprecatedFirstTimestamp/LastTimestamp/Count ⇄ firstTimestamp/lastTimestamp/count,
/// reportingController ⇄ reportingComponent; the other fields carry over by name.
/// </summary>
public static class EventConversion
{
    public static Corev1Event ToCore(Eventsv1Event e) => new()
    {
        ApiVersion = "v1",
        Kind = "Event",
        Metadata = CloneMeta(e.Metadata),
        InvolvedObject = e.Regarding == null ? new V1ObjectReference() : ObjectJson.Clone(e.Regarding),
        Message = e.Note,
        Source = e.DeprecatedSource == null ? new V1EventSource() : ObjectJson.Clone(e.DeprecatedSource),
        FirstTimestamp = e.DeprecatedFirstTimestamp,
        LastTimestamp = e.DeprecatedLastTimestamp,
        Count = e.DeprecatedCount,
        ReportingComponent = e.ReportingController,
        ReportingInstance = e.ReportingInstance,
        Action = e.Action,
        Reason = e.Reason,
        Related = e.Related == null ? null : ObjectJson.Clone(e.Related),
        Type = e.Type,
        EventTime = e.EventTime,
        Series = e.Series == null ? null : new Corev1EventSeries { Count = e.Series.Count, LastObservedTime = e.Series.LastObservedTime },
    };

    public static Eventsv1Event ToEvents(Corev1Event e) => new()
    {
        ApiVersion = "events.k8s.io/v1",
        Kind = "Event",
        Metadata = CloneMeta(e.Metadata),
        Regarding = e.InvolvedObject == null ? new V1ObjectReference() : ObjectJson.Clone(e.InvolvedObject),
        Note = e.Message,
        DeprecatedSource = e.Source == null ? new V1EventSource() : ObjectJson.Clone(e.Source),
        DeprecatedFirstTimestamp = e.FirstTimestamp,
        DeprecatedLastTimestamp = e.LastTimestamp,
        DeprecatedCount = e.Count,
        ReportingController = e.ReportingComponent,
        ReportingInstance = e.ReportingInstance,
        Action = e.Action,
        Reason = e.Reason,
        Related = e.Related == null ? null : ObjectJson.Clone(e.Related),
        Type = e.Type,
        EventTime = e.EventTime,
        Series = e.Series == null ? null : new Eventsv1EventSeries { Count = e.Series.Count ?? 0, LastObservedTime = e.Series.LastObservedTime ?? default },
    };

    internal static V1ObjectMeta CloneMeta(V1ObjectMeta? meta) => meta == null ? new V1ObjectMeta() : ObjectJson.Clone(meta);
}
