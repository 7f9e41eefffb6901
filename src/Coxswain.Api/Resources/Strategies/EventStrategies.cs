using Coxswain.Api.Conversion;
using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// Event validation as upstream's core/validation/events.go: every event passes the legacy
/// rules; events written through events.k8s.io/v1 also pass the strict ones. Errors name the
/// core/v1 fields (involvedObject, message, ...) for both APIs, as upstream's do.
/// </summary>
internal static class EventValidation
{
    public const int ReportingInstanceLengthLimit = 128;
    public const int ActionLengthLimit = 128;
    public const int ReasonLengthLimit = 128;
    public const int NoteLengthLimit = 1024;

    public static List<FieldError> Legacy(Corev1Event e)
    {
        var errs = new List<FieldError>();
        var ns = e.Metadata?.NamespaceProperty ?? "";
        var involvedNs = e.InvolvedObject?.NamespaceProperty ?? "";
        if (e.EventTime == null)
        {
            if (involvedNs.Length == 0)
            {
                if (ns.Length != 0 && ns != "default")
                {
                    errs.Add(FieldError.Invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
                }
            }
            else if (ns != involvedNs)
            {
                errs.Add(FieldError.Invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
            }
        }
        else
        {
            if (involvedNs.Length == 0 && ns != "default" && ns != "kube-system")
            {
                errs.Add(FieldError.Invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
            }
            var controller = e.ReportingComponent ?? "";
            if (controller.Length == 0)
            {
                errs.Add(FieldError.Required("reportingController"));
            }
            errs.AddRange(FieldChecks.QualifiedName(controller, "reportingController"));
            var instance = e.ReportingInstance ?? "";
            if (instance.Length == 0)
            {
                errs.Add(FieldError.Required("reportingInstance"));
            }
            if (instance.Length > ReportingInstanceLengthLimit)
            {
                errs.Add(FieldError.Invalid("reportingInstance", "", $"can have at most {ReportingInstanceLengthLimit} characters"));
            }
            var action = e.Action ?? "";
            if (action.Length == 0)
            {
                errs.Add(FieldError.Required("action"));
            }
            if (action.Length > ActionLengthLimit)
            {
                errs.Add(FieldError.Invalid("action", "", $"can have at most {ActionLengthLimit} characters"));
            }
            var reason = e.Reason ?? "";
            if (reason.Length == 0)
            {
                errs.Add(FieldError.Required("reason"));
            }
            if (reason.Length > ReasonLengthLimit)
            {
                errs.Add(FieldError.Invalid("reason", "", $"can have at most {ReasonLengthLimit} characters"));
            }
            if ((e.Message?.Length ?? 0) > NoteLengthLimit)
            {
                errs.Add(FieldError.Invalid("message", "", $"can have at most {NoteLengthLimit} characters"));
            }
        }
        errs.AddRange(FieldChecks.Messages("namespace", ns, ValidationRules.IsDNS1123Subdomain(ns)));
        return errs;
    }

    /// <summary>The additional create rules for events.k8s.io/v1 (on the event converted to core/v1).</summary>
    public static List<FieldError> Strict(Corev1Event e)
    {
        var errs = Series(e);
        if (e.EventTime == null)
        {
            errs.Add(FieldError.Required("eventTime"));
        }
        if (e.Type is not ("Normal" or "Warning"))
        {
            errs.Add(FieldError.Invalid("type", "", $"has invalid value: {e.Type}"));
        }
        if (e.FirstTimestamp != null)
        {
            errs.Add(FieldError.Invalid("firstTimestamp", "", "needs to be unset"));
        }
        if (e.LastTimestamp != null)
        {
            errs.Add(FieldError.Invalid("lastTimestamp", "", "needs to be unset"));
        }
        if ((e.Count ?? 0) != 0)
        {
            errs.Add(FieldError.Invalid("count", "", "needs to be unset"));
        }
        if (!string.IsNullOrEmpty(e.Source?.Component) || !string.IsNullOrEmpty(e.Source?.Host))
        {
            errs.Add(FieldError.Invalid("source", "", "needs to be unset"));
        }
        return errs;
    }

    /// <summary>The update rules for events.k8s.io/v1: everything but the series is fixed once written.</summary>
    public static List<FieldError> StrictUpdate(Corev1Event e, Corev1Event old)
    {
        var errs = new List<FieldError>();
        if (!ObjectJson.SemanticEquals(e.Series, old.Series))
        {
            errs.AddRange(Series(e));
        }
        errs.AddRange(FieldChecks.Immutable(e.InvolvedObject, old.InvolvedObject, "involvedObject"));
        errs.AddRange(FieldChecks.Immutable(e.Reason ?? "", old.Reason ?? "", "reason"));
        errs.AddRange(FieldChecks.Immutable(e.Message ?? "", old.Message ?? "", "message"));
        errs.AddRange(FieldChecks.Immutable(e.Source, old.Source, "source"));
        errs.AddRange(FieldChecks.Immutable(e.FirstTimestamp, old.FirstTimestamp, "firstTimestamp"));
        errs.AddRange(FieldChecks.Immutable(e.LastTimestamp, old.LastTimestamp, "lastTimestamp"));
        errs.AddRange(FieldChecks.Immutable(e.Count ?? 0, old.Count ?? 0, "count"));
        errs.AddRange(FieldChecks.Immutable(e.Reason ?? "", old.Reason ?? "", "reason"));
        errs.AddRange(FieldChecks.Immutable(e.Type ?? "", old.Type ?? "", "type"));
        errs.AddRange(FieldChecks.Immutable(e.EventTime, old.EventTime, "eventTime"));
        errs.AddRange(FieldChecks.Immutable(e.Action ?? "", old.Action ?? "", "action"));
        errs.AddRange(FieldChecks.Immutable(e.Related, old.Related, "related"));
        errs.AddRange(FieldChecks.Immutable(e.ReportingComponent ?? "", old.ReportingComponent ?? "", "reportingController"));
        errs.AddRange(FieldChecks.Immutable(e.ReportingInstance ?? "", old.ReportingInstance ?? "", "reportingInstance"));
        return errs;
    }

    private static List<FieldError> Series(Corev1Event e)
    {
        var errs = new List<FieldError>();
        if (e.Series != null)
        {
            if ((e.Series.Count ?? 0) < 2)
            {
                errs.Add(FieldError.Invalid("series.count", "", "should be at least 2"));
            }
            if (e.Series.LastObservedTime == null || e.Series.LastObservedTime == default(DateTime))
            {
                errs.Add(FieldError.Required("series.lastObservedTime"));
            }
        }
        return errs;
    }
}

/// <summary>Events written through core/v1: the legacy rules only, for old clients' sake.</summary>
public sealed class CoreEventStrategy : KindStrategy<Corev1Event>
{
    public override IEnumerable<FieldError> ValidateCreate(Corev1Event obj) => EventValidation.Legacy(obj);
}

/// <summary>Events written through events.k8s.io/v1: legacy plus strict rules.</summary>
public sealed class EventsV1EventStrategy : KindStrategy<Eventsv1Event>
{
    public override IEnumerable<FieldError> ValidateCreate(Eventsv1Event obj)
    {
        var core = EventConversion.ToCore(obj);
        var errs = EventValidation.Legacy(core);
        errs.AddRange(EventValidation.Strict(core));
        return errs;
    }

    public override IEnumerable<FieldError> ValidateUpdate(Eventsv1Event obj, Eventsv1Event old)
    {
        var core = EventConversion.ToCore(obj);
        var errs = EventValidation.Legacy(core);
        errs.AddRange(EventValidation.StrictUpdate(core, EventConversion.ToCore(old)));
        return errs;
    }
}
