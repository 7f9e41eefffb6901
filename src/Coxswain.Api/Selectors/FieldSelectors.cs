using Coxswain.Api.Errors;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Selectors;

using Getter = Func<IKubernetesObject<V1ObjectMeta>, string?>;

/// <summary>
/// The fields each kind can be selected by: upstream's field label conversion (which labels a
/// group/version accepts, and how it renames them) and the registry's selectable fields (the
/// string value of each field on an object). Bools are <c>true</c>/<c>false</c>, counts decimal; a
/// field an object lacks compares as the empty string (on cluster-scoped kinds that is
/// metadata.namespace).
/// </summary>
public static class FieldSelectors
{
    /// <summary>
    /// The selectable fields of a kind, each with a getter over the typed model. The keys are the
    /// canonical (converted) labels; use <see cref="Convert"/> first to accept the aliases.
    /// </summary>
    public static IReadOnlyDictionary<string, Getter> For(string group, string kind) => Find(group, kind).Getters;

    /// <summary>
    /// Upstream's ConvertFieldLabel over a whole selector: renames aliases (Pod <c>spec.host</c>,
    /// events.k8s.io <c>regarding.*</c>, ...) to the canonical labels of <see cref="For"/> and
    /// throws 400 BadRequest, worded as upstream for that kind, on a label the kind does not support.
    /// </summary>
    public static FieldSelector Convert(string group, string kind, FieldSelector selector)
    {
        var fields = Find(group, kind);
        return selector.Transform((label, value) =>
            (fields.Convert(label) ?? throw ApiException.BadRequest(fields.Error(label)), value));
    }

    /// <summary>True when the object satisfies a selector already passed through <see cref="Convert"/>.</summary>
    public static bool Matches(string group, string kind, FieldSelector selector, IKubernetesObject<V1ObjectMeta> obj)
    {
        var getters = Find(group, kind).Getters;
        return selector.Matches(field => getters.TryGetValue(field, out var get) ? get(obj) : null);
    }

    /// <summary>Upstream's DefaultMetaV1FieldSelectorConversion error.</summary>
    internal static string DefaultConversionError(string label) =>
        $"{LabelValidation.GoQuote(label)} is not a known field selector: only \"metadata.name\", \"metadata.namespace\"";

    private static string NotSupported(string label) => $"field label not supported: {label}";

    /// <summary>One kind's conversion (null = unsupported), its error wording and its getters.</summary>
    private sealed record KindFields(Func<string, string?> Convert, Func<string, string> Error, IReadOnlyDictionary<string, Getter> Getters);

    private static KindFields Find(string group, string kind) => Kinds.GetValueOrDefault((group, kind)) ?? Default;

    private static string? Name(IKubernetesObject<V1ObjectMeta> o) => o.Metadata?.Name;

    private static string? Namespace(IKubernetesObject<V1ObjectMeta> o) => o.Metadata?.NamespaceProperty;

    private static Getter On<T>(Func<T, string?> get) => o => o is T t ? get(t) : null;

    private static string Bool(bool? b) => b == true ? "true" : "false";

    /// <summary>A kind whose conversion accepts exactly its getters' labels, plus optional aliases.</summary>
    private static KindFields Registered(Dictionary<string, Getter> getters, Func<string, string>? error = null, Dictionary<string, string>? aliases = null) =>
        new(label => getters.ContainsKey(label) ? label : aliases?.GetValueOrDefault(label),
            error ?? NotSupported,
            getters);

    private static Dictionary<string, Getter> WithMetadata(bool namespaced, Dictionary<string, Getter> specific)
    {
        specific["metadata.name"] = Name;
        if (namespaced)
        {
            specific["metadata.namespace"] = Namespace;
        }
        return specific;
    }

    /// <summary>Kinds without a registered conversion: metadata.name and metadata.namespace only.</summary>
    private static readonly KindFields Default = new(
        label => label is "metadata.name" or "metadata.namespace" ? label : null,
        DefaultConversionError,
        new Dictionary<string, Getter>(StringComparer.Ordinal) { ["metadata.name"] = Name, ["metadata.namespace"] = Namespace });

    /// <summary>events.k8s.io/v1 labels and the core/v1 labels they are matched as.</summary>
    private static readonly Dictionary<string, string> EventsV1Labels = new(StringComparer.Ordinal)
    {
        ["reason"] = "reason",
        ["regarding.kind"] = "involvedObject.kind",
        ["regarding.namespace"] = "involvedObject.namespace",
        ["regarding.name"] = "involvedObject.name",
        ["regarding.uid"] = "involvedObject.uid",
        ["regarding.apiVersion"] = "involvedObject.apiVersion",
        ["regarding.resourceVersion"] = "involvedObject.resourceVersion",
        ["regarding.fieldPath"] = "involvedObject.fieldPath",
        ["reportingController"] = "reportingComponent",
        ["source"] = "source",
        ["type"] = "type",
        ["metadata.namespace"] = "metadata.namespace",
        ["metadata.name"] = "metadata.name",
    };

    private static readonly KindFields CoreEvents = Registered(WithMetadata(true, EventGetters()));

    private static readonly Dictionary<(string Group, string Kind), KindFields> Kinds = new()
    {
        [("", "Pod")] = Registered(
            WithMetadata(true, new Dictionary<string, Getter>(StringComparer.Ordinal)
            {
                ["spec.nodeName"] = On<V1Pod>(p => p.Spec?.NodeName),
                ["spec.restartPolicy"] = On<V1Pod>(p => p.Spec?.RestartPolicy),
                ["spec.schedulerName"] = On<V1Pod>(p => p.Spec?.SchedulerName),
                ["spec.serviceAccountName"] = On<V1Pod>(p => p.Spec?.ServiceAccountName),
                ["spec.hostNetwork"] = On<V1Pod>(p => Bool(p.Spec?.HostNetwork)),
                ["status.phase"] = On<V1Pod>(p => p.Status?.Phase),
                ["status.podIP"] = On<V1Pod>(p => p.Status?.PodIPs is { Count: > 0 } ips ? ips[0].Ip : p.Status?.PodIP),
                ["status.nominatedNodeName"] = On<V1Pod>(p => p.Status?.NominatedNodeName),
                // Accepted by the conversion but not among the selectable fields: compares as "".
                ["status.podIPs"] = _ => null,
            }),
            aliases: new() { ["spec.host"] = "spec.nodeName" }),
        [("", "Node")] = Registered(WithMetadata(false, new Dictionary<string, Getter>(StringComparer.Ordinal)
        {
            ["spec.unschedulable"] = On<V1Node>(n => Bool(n.Spec?.Unschedulable)),
        })),
        [("", "Namespace")] = Registered(WithMetadata(false, new Dictionary<string, Getter>(StringComparer.Ordinal)
        {
            ["status.phase"] = On<V1Namespace>(n => n.Status?.Phase),
        })),
        [("", "Secret")] = Registered(WithMetadata(true, new Dictionary<string, Getter>(StringComparer.Ordinal)
        {
            ["type"] = On<V1Secret>(s => s.Type),
        })),
        [("", "Service")] = Registered(WithMetadata(true, new Dictionary<string, Getter>(StringComparer.Ordinal)
        {
            ["spec.clusterIP"] = On<V1Service>(s => s.Spec?.ClusterIP),
            ["spec.type"] = On<V1Service>(s => s.Spec?.Type),
        })),
        [("", "ReplicationController")] = Registered(WithMetadata(true, new Dictionary<string, Getter>(StringComparer.Ordinal)
        {
            ["status.replicas"] = On<V1ReplicationController>(r => (r.Status?.Replicas ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        })),
        [("", "Event")] = CoreEvents,
        [("events.k8s.io", "Event")] = new(
            label => EventsV1Labels.GetValueOrDefault(label),
            NotSupported,
            CoreEvents.Getters),
        [("batch", "Job")] = Registered(
            WithMetadata(true, new Dictionary<string, Getter>(StringComparer.Ordinal)
            {
                ["status.successful"] = On<V1Job>(j => (j.Status?.Succeeded ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            }),
            error: label => $"field label {LabelValidation.GoQuote(label)} not supported for batchv1.Job"),
    };

    /// <summary>Event fields, read from either a core/v1 or an events.k8s.io/v1 Event.</summary>
    private static Dictionary<string, Getter> EventGetters()
    {
        static V1ObjectReference? Involved(IKubernetesObject<V1ObjectMeta> o) => o switch
        {
            Corev1Event e => e.InvolvedObject,
            Eventsv1Event e => e.Regarding,
            _ => null,
        };
        static string? Reporting(IKubernetesObject<V1ObjectMeta> o) => o switch
        {
            Corev1Event e => e.ReportingComponent,
            Eventsv1Event e => e.ReportingController,
            _ => null,
        };
        static string? Source(IKubernetesObject<V1ObjectMeta> o)
        {
            var component = o switch
            {
                Corev1Event e => e.Source?.Component,
                Eventsv1Event e => e.DeprecatedSource?.Component,
                _ => null,
            };
            return string.IsNullOrEmpty(component) ? Reporting(o) : component;
        }
        return new Dictionary<string, Getter>(StringComparer.Ordinal)
        {
            ["involvedObject.kind"] = o => Involved(o)?.Kind,
            ["involvedObject.namespace"] = o => Involved(o)?.NamespaceProperty,
            ["involvedObject.name"] = o => Involved(o)?.Name,
            ["involvedObject.uid"] = o => Involved(o)?.Uid,
            ["involvedObject.apiVersion"] = o => Involved(o)?.ApiVersion,
            ["involvedObject.resourceVersion"] = o => Involved(o)?.ResourceVersion,
            ["involvedObject.fieldPath"] = o => Involved(o)?.FieldPath,
            ["reason"] = o => o switch { Corev1Event e => e.Reason, Eventsv1Event e => e.Reason, _ => null },
            ["reportingComponent"] = Reporting,
            ["source"] = Source,
            ["type"] = o => o switch { Corev1Event e => e.Type, Eventsv1Event e => e.Type, _ => null },
        };
    }
}
