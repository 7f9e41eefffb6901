using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>
/// The Event printer, for core/v1 Events and events.k8s.io/v1 Events (the same objects in two
/// shapes; the events.k8s.io fields are read as their core/v1 counterparts).
/// </summary>
internal static class EventPrinter
{
    public static TablePrinter Create() => new TablePrinter(
            Columns.Text("Last Seen", ColumnDescriptions.EventLastTimestamp),
            Columns.Text("Type", ColumnDescriptions.EventType),
            Columns.Text("Reason", ColumnDescriptions.EventReason),
            Columns.Text("Object", ColumnDescriptions.EventInvolvedObject),
            Columns.Text("Subobject", ColumnDescriptions.EventFieldPath, 1),
            Columns.Text("Source", ColumnDescriptions.EventSource, 1),
            Columns.Text("Message", ColumnDescriptions.EventMessage),
            Columns.Text("First Seen", ColumnDescriptions.EventFirstTimestamp, 1),
            Columns.Text("Count", ColumnDescriptions.EventCount, 1),
            Columns.Name with { Priority = 1 })
        .On<Corev1Event>((e, now) => Cells(new View(
            e.Metadata, e.Type, e.Reason, e.InvolvedObject, e.Source, e.ReportingComponent, e.ReportingInstance, e.Message,
            e.FirstTimestamp, e.LastTimestamp, e.EventTime, e.Count, e.Series == null ? null : (e.Series.Count ?? 0, e.Series.LastObservedTime)), now))
        .On<Eventsv1Event>((e, now) => Cells(new View(
            e.Metadata, e.Type, e.Reason, e.Regarding, e.DeprecatedSource, e.ReportingController, e.ReportingInstance, e.Note,
            e.DeprecatedFirstTimestamp, e.DeprecatedLastTimestamp, e.EventTime, e.DeprecatedCount, e.Series == null ? null : (e.Series.Count, e.Series.LastObservedTime)), now));

    /// <summary>The fields the printer reads, in core/v1 terms.</summary>
    private sealed record View(
        V1ObjectMeta? Metadata, string? Type, string? Reason, V1ObjectReference? Involved, V1EventSource? Source,
        string? ReportingController, string? ReportingInstance, string? Message,
        DateTime? FirstTimestamp, DateTime? LastTimestamp, DateTime? EventTime, int? Count,
        (int Count, DateTime? LastObservedTime)? Series);

    private static object?[] Cells(View e, DateTime now)
    {
        var firstSeen = IsZero(e.FirstTimestamp) ? HumanDuration.Since(e.EventTime, now) : HumanDuration.Since(e.FirstTimestamp, now);
        var lastSeen = IsZero(e.LastTimestamp) ? firstSeen : HumanDuration.Since(e.LastTimestamp, now);
        long count = e.Count ?? 0;
        if (e.Series is { } series)
        {
            lastSeen = HumanDuration.Since(series.LastObservedTime, now);
            count = series.Count;
        }
        else if (count == 0)
        {
            // Singleton events of the new API carry no count.
            count = 1;
        }

        var kind = (e.Involved?.Kind ?? "").ToLowerInvariant();
        var target = string.IsNullOrEmpty(e.Involved?.Name) ? kind : kind + "/" + e.Involved.Name;
        return
        [
            lastSeen, e.Type ?? "", e.Reason ?? "", target, e.Involved?.FieldPath ?? "", Source(e),
            (e.Message ?? "").Trim(), firstSeen, count, Print.NameOf(e.Metadata),
        ];
    }

    private static bool IsZero(DateTime? t) => t is null || t.Value == default;

    /// <summary>component (else reportingController), then <c>, host</c> (else reportingInstance) when non-empty.</summary>
    private static string Source(View e)
    {
        var component = string.IsNullOrEmpty(e.Source?.Component) ? e.ReportingController ?? "" : e.Source.Component;
        var instance = string.IsNullOrEmpty(e.Source?.Host) ? e.ReportingInstance ?? "" : e.Source.Host;
        return instance.Length == 0 ? component : component + ", " + instance;
    }
}
