using System.Globalization;
using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>The HorizontalPodAutoscaler printer, for autoscaling/v2 and autoscaling/v1 objects.</summary>
internal static class AutoscalingPrinters
{
    public static TablePrinter HorizontalPodAutoscaler() => new TablePrinter(
            Columns.Name,
            Columns.Text("Reference", ColumnDescriptions.HpaScaleTargetRef),
            Columns.Text("Targets", ColumnDescriptions.HpaMetrics),
            Columns.Text("MinPods", ColumnDescriptions.HpaMinReplicas),
            Columns.Text("MaxPods", ColumnDescriptions.HpaMaxReplicas),
            Columns.Text("Replicas", ColumnDescriptions.HpaCurrentReplicas),
            Columns.Age)
        .On<V2HorizontalPodAutoscaler>((hpa, now) => Cells(
            hpa.Metadata, hpa.Spec?.ScaleTargetRef?.Kind, hpa.Spec?.ScaleTargetRef?.Name,
            FormatMetrics(hpa.Spec?.Metrics, hpa.Status?.CurrentMetrics),
            hpa.Spec?.MinReplicas, hpa.Spec?.MaxReplicas ?? 0, hpa.Status?.CurrentReplicas ?? 0, now))
        .On<V1HorizontalPodAutoscaler>((hpa, now) => Cells(
            hpa.Metadata, hpa.Spec?.ScaleTargetRef?.Kind, hpa.Spec?.ScaleTargetRef?.Name,
            FormatMetrics(V1Metrics(hpa), V1CurrentMetrics(hpa)),
            hpa.Spec?.MinReplicas, hpa.Spec?.MaxReplicas ?? 0, hpa.Status?.CurrentReplicas ?? 0, now));

    private static object?[] Cells(V1ObjectMeta? meta, string? kind, string? name, string targets, int? min, int max, int current, DateTime now) =>
    [
        Print.NameOf(meta), $"{kind}/{name}", targets,
        min?.ToString(CultureInfo.InvariantCulture) ?? Print.Unset, (long)max, (long)current, Print.Age(meta, now),
    ];

    /// <summary>autoscaling/v1's CPU target as the v2 metric upstream's conversion makes of it.</summary>
    private static List<V2MetricSpec>? V1Metrics(V1HorizontalPodAutoscaler hpa) =>
        hpa.Spec?.TargetCPUUtilizationPercentage is { } target
            ? [new V2MetricSpec { Type = "Resource", Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = target } } }]
            : null;

    private static List<V2MetricStatus>? V1CurrentMetrics(V1HorizontalPodAutoscaler hpa) =>
        hpa.Status?.CurrentCPUUtilizationPercentage is { } current
            ? [new V2MetricStatus { Type = "Resource", Resource = new V2ResourceMetricStatus { Name = "cpu", Current = new V2MetricValueStatus { AverageUtilization = current } } }]
            : null;

    /// <summary>Upstream's formatHPAMetrics: each target paired with the current metric of the same index, at most 2 shown.</summary>
    internal static string FormatMetrics(IList<V2MetricSpec>? specs, IList<V2MetricStatus>? statuses)
    {
        if (specs == null || specs.Count == 0)
        {
            return Print.None;
        }
        const int max = 2;
        var list = new List<string>(specs.Count);
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var status = statuses != null && statuses.Count > i ? statuses[i] : null;
            list.Add(spec.Type switch
            {
                "External" => ObjectLike(spec.External?.Target, status?.External?.Current, status?.External != null),
                "Object" => ObjectLike(spec.ObjectProperty?.Target, status?.ObjectProperty?.Current, status?.ObjectProperty != null),
                "Pods" => $"{(status?.Pods != null ? Print.QuantityPointer(status.Pods.Current?.AverageValue) : Print.Unknown)}/{Print.QuantityPointer(spec.Pods?.Target?.AverageValue)}",
                "Resource" => ResourceLike(spec.Resource?.Name, spec.Resource?.Target, status?.Resource?.Current, status?.Resource != null),
                "ContainerResource" => ResourceLike(spec.ContainerResource?.Name, spec.ContainerResource?.Target, status?.ContainerResource?.Current, status?.ContainerResource != null),
                _ => "<unknown type>",
            });
        }
        var more = list.Count > max;
        var ret = string.Join(", ", more ? list.Take(max) : list);
        return more ? $"{ret} + {list.Count - max} more..." : ret;
    }

    private static string ObjectLike(V2MetricTarget? target, V2MetricValueStatus? current, bool hasStatus)
    {
        if (target?.AverageValue != null)
        {
            var cur = hasStatus && current?.AverageValue != null ? current.AverageValue.ToString() : Print.Unknown;
            return $"{cur}/{target.AverageValue} (avg)";
        }
        var value = hasStatus ? Print.QuantityPointer(current?.Value) : Print.Unknown;
        return $"{value}/{Print.QuantityPointer(target?.Value)}";
    }

    private static string ResourceLike(string? name, V2MetricTarget? target, V2MetricValueStatus? current, bool hasStatus)
    {
        if (target?.AverageValue != null)
        {
            var cur = hasStatus ? Print.QuantityPointer(current?.AverageValue) : Print.Unknown;
            return $"{name}: {cur}/{target.AverageValue}";
        }
        var curPct = hasStatus && current?.AverageUtilization is { } u ? Percent(u) : Print.Unknown;
        var targetPct = target?.AverageUtilization is { } t ? Percent(t) : "<auto>";
        return $"{name}: {curPct}/{targetPct}";
    }

    private static string Percent(int value) => string.Create(CultureInfo.InvariantCulture, $"{value}%");
}
