using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Coxswain.Api.Conversion;

/// <summary>
/// autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler, as upstream's
/// pkg/apis/autoscaling/v1 conversion: targetCPUUtilizationPercentage ⇄ a Resource cpu
/// Utilization metric, currentCPUUtilizationPercentage ⇄ the cpu current metric; everything v1
/// cannot express (other metrics, current metrics, conditions, behavior) travels in the
/// <c>autoscaling.alpha.kubernetes.io/*</c> annotations of the v1 object, in the same JSON shapes
/// upstream writes, and is dropped from the annotations when converting back to v2.
/// </summary>
public static class HpaConversion
{
    public const string MetricSpecsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
    public const string MetricStatusesAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";
    public const string ConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";
    public const string BehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";
    public const int DefaultCpuUtilization = 80;

    private static readonly string[] RoundTripAnnotations = [MetricSpecsAnnotation, MetricStatusesAnnotation, ConditionsAnnotation, BehaviorAnnotation];

    public static V2HorizontalPodAutoscaler ToV2(V1HorizontalPodAutoscaler v1)
    {
        var meta = EventConversion.CloneMeta(v1.Metadata);
        var annotations = meta.Annotations ?? new Dictionary<string, string>();
        var spec = v1.Spec ?? new V1HorizontalPodAutoscalerSpec();
        var outSpec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference
            {
                ApiVersion = spec.ScaleTargetRef?.ApiVersion,
                Kind = spec.ScaleTargetRef?.Kind,
                Name = spec.ScaleTargetRef?.Name,
            },
            MinReplicas = spec.MinReplicas,
            MaxReplicas = spec.MaxReplicas,
        };
        if (spec.TargetCPUUtilizationPercentage is { } target)
        {
            outSpec.Metrics = [CpuUtilizationMetric(target)];
        }
        if (annotations.TryGetValue(MetricSpecsAnnotation, out var metricsJson) && TryParseArray(metricsJson) is { } others)
        {
            var metrics = others.Select(n => MetricSpecFromV1(n as JsonObject)).ToList();
            if (outSpec.Metrics is { Count: > 0 })
            {
                metrics.Add(outSpec.Metrics[0]);
            }
            outSpec.Metrics = metrics;
        }
        if (annotations.TryGetValue(BehaviorAnnotation, out var behaviorJson) && BehaviorFromAnnotation(behaviorJson) is { } behavior)
        {
            outSpec.Behavior = behavior;
        }
        if (outSpec.Metrics == null || outSpec.Metrics.Count == 0)
        {
            // autoscaling/v1 used to default the target in the controller; v2 makes it explicit.
            outSpec.Metrics = [CpuUtilizationMetric(DefaultCpuUtilization)];
        }

        V2HorizontalPodAutoscalerStatus? status = null;
        if (v1.Status is { } s)
        {
            status = new V2HorizontalPodAutoscalerStatus
            {
                ObservedGeneration = s.ObservedGeneration,
                LastScaleTime = s.LastScaleTime,
                CurrentReplicas = s.CurrentReplicas,
                DesiredReplicas = s.DesiredReplicas,
            };
            if (s.CurrentCPUUtilizationPercentage is { } current)
            {
                status.CurrentMetrics =
                [
                    new V2MetricStatus
                    {
                        Type = "Resource",
                        Resource = new V2ResourceMetricStatus { Name = "cpu", Current = new V2MetricValueStatus { AverageUtilization = current } },
                    },
                ];
            }
        }
        if (annotations.TryGetValue(MetricStatusesAnnotation, out var currentJson) && TryParseArray(currentJson) is { } currentMetrics)
        {
            status ??= new V2HorizontalPodAutoscalerStatus();
            status.CurrentMetrics = currentMetrics.Select(n => MetricStatusFromV1(n as JsonObject)).ToList();
        }
        if (annotations.TryGetValue(ConditionsAnnotation, out var conditionsJson) && TryParseArray(conditionsJson) is { } conditions)
        {
            status ??= new V2HorizontalPodAutoscalerStatus();
            status.Conditions = conditions.Select(n => ConditionFromV1(n as JsonObject)).ToList();
        }
        DropRoundTripAnnotations(meta);
        return new V2HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v2",
            Kind = "HorizontalPodAutoscaler",
            Metadata = meta,
            Spec = outSpec,
            Status = status,
        };
    }

    public static V1HorizontalPodAutoscaler ToV1(V2HorizontalPodAutoscaler v2)
    {
        var meta = EventConversion.CloneMeta(v2.Metadata);
        DropRoundTripAnnotations(meta);
        var spec = v2.Spec ?? new V2HorizontalPodAutoscalerSpec();
        var outSpec = new V1HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V1CrossVersionObjectReference
            {
                ApiVersion = spec.ScaleTargetRef?.ApiVersion,
                Kind = spec.ScaleTargetRef?.Kind,
                Name = spec.ScaleTargetRef?.Name,
            },
            MinReplicas = spec.MinReplicas,
            MaxReplicas = spec.MaxReplicas,
        };
        var others = new JsonArray();
        foreach (var m in spec.Metrics ?? [])
        {
            if (IsCpuUtilization(m))
            {
                outSpec.TargetCPUUtilizationPercentage ??= m.Resource!.Target!.AverageUtilization;
                continue;
            }
            others.Add(MetricSpecToV1(m));
        }
        var annotations = new Dictionary<string, string>();
        if (others.Count > 0)
        {
            annotations[MetricSpecsAnnotation] = others.ToJsonString();
        }

        V1HorizontalPodAutoscalerStatus? status = null;
        if (v2.Status is { } s)
        {
            status = new V1HorizontalPodAutoscalerStatus
            {
                ObservedGeneration = s.ObservedGeneration,
                LastScaleTime = s.LastScaleTime,
                CurrentReplicas = s.CurrentReplicas ?? 0,
                DesiredReplicas = s.DesiredReplicas,
            };
            foreach (var m in s.CurrentMetrics ?? [])
            {
                if (m.Type == "Resource" && m.Resource?.Name == "cpu" && m.Resource.Current?.AverageUtilization is { } u)
                {
                    status.CurrentCPUUtilizationPercentage = u;
                }
            }
            if (s.CurrentMetrics is { Count: > 0 })
            {
                annotations[MetricStatusesAnnotation] = new JsonArray(s.CurrentMetrics.Select(m => (JsonNode?)MetricStatusToV1(m)).ToArray()).ToJsonString();
            }
            if (s.Conditions is { Count: > 0 })
            {
                annotations[ConditionsAnnotation] = new JsonArray(s.Conditions.Select(c => (JsonNode?)ConditionToV1(c)).ToArray()).ToJsonString();
            }
        }
        if (spec.Behavior != null)
        {
            annotations[BehaviorAnnotation] = BehaviorToAnnotation(spec.Behavior);
        }
        if (annotations.Count > 0)
        {
            meta.Annotations ??= new Dictionary<string, string>();
            foreach (var (k, v) in annotations)
            {
                meta.Annotations[k] = v;
            }
        }
        return new V1HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v1",
            Kind = "HorizontalPodAutoscaler",
            Metadata = meta,
            Spec = outSpec,
            Status = status,
        };
    }

    private static void DropRoundTripAnnotations(V1ObjectMeta meta)
    {
        if (meta.Annotations == null)
        {
            return;
        }
        foreach (var key in RoundTripAnnotations)
        {
            meta.Annotations.Remove(key);
        }
        if (meta.Annotations.Count == 0)
        {
            meta.Annotations = null;
        }
    }

    private static bool IsCpuUtilization(V2MetricSpec m) =>
        m.Type == "Resource" && m.Resource?.Name == "cpu" && m.Resource.Target?.AverageUtilization != null;

    private static V2MetricSpec CpuUtilizationMetric(int utilization) => new()
    {
        Type = "Resource",
        Resource = new V2ResourceMetricSource
        {
            Name = "cpu",
            Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = utilization },
        },
    };

    private static JsonArray? TryParseArray(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonArray;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // ---- the autoscaling/v1 annotation shapes (the old v2beta1 metric types) ----

    private static JsonObject MetricSpecToV1(V2MetricSpec m)
    {
        var o = new JsonObject { ["type"] = m.Type };
        switch (m.Type)
        {
            case "Resource" when m.Resource != null:
                o["resource"] = Obj(("name", m.Resource.Name), ("targetAverageUtilization", m.Resource.Target?.AverageUtilization),
                    ("targetAverageValue", Q(m.Resource.Target?.AverageValue)));
                break;
            case "ContainerResource" when m.ContainerResource != null:
                o["containerResource"] = Obj(("name", m.ContainerResource.Name), ("targetAverageUtilization", m.ContainerResource.Target?.AverageUtilization),
                    ("targetAverageValue", Q(m.ContainerResource.Target?.AverageValue)), ("container", m.ContainerResource.Container ?? ""));
                break;
            case "Pods" when m.Pods != null:
                o["pods"] = Obj(("metricName", m.Pods.Metric?.Name ?? ""), ("targetAverageValue", Q(m.Pods.Target?.AverageValue) ?? "0"),
                    ("selector", Node(m.Pods.Metric?.Selector)));
                break;
            case "Object" when m.ObjectProperty != null:
                o["object"] = Obj(("target", Node(m.ObjectProperty.DescribedObject) ?? new JsonObject()), ("metricName", m.ObjectProperty.Metric?.Name ?? ""),
                    ("targetValue", Q(m.ObjectProperty.Target?.Value) ?? "0"), ("selector", Node(m.ObjectProperty.Metric?.Selector)),
                    ("averageValue", Q(m.ObjectProperty.Target?.AverageValue)));
                break;
            case "External" when m.External != null:
                o["external"] = Obj(("metricName", m.External.Metric?.Name ?? ""), ("metricSelector", Node(m.External.Metric?.Selector)),
                    ("targetValue", Q(m.External.Target?.Value)), ("targetAverageValue", Q(m.External.Target?.AverageValue)));
                break;
        }
        return o;
    }

    private static V2MetricSpec MetricSpecFromV1(JsonObject? o)
    {
        var m = new V2MetricSpec { Type = Str(o, "type") };
        if (o?["resource"] is JsonObject r)
        {
            var utilization = Int(r, "targetAverageUtilization");
            m.Resource = new V2ResourceMetricSource
            {
                Name = Str(r, "name"),
                Target = new V2MetricTarget
                {
                    Type = utilization == null ? "AverageValue" : "Utilization",
                    AverageUtilization = utilization,
                    AverageValue = Qty(r, "targetAverageValue"),
                },
            };
        }
        if (o?["containerResource"] is JsonObject cr)
        {
            var utilization = Int(cr, "targetAverageUtilization");
            m.ContainerResource = new V2ContainerResourceMetricSource
            {
                Name = Str(cr, "name"),
                Container = Str(cr, "container"),
                Target = new V2MetricTarget
                {
                    Type = utilization == null ? "AverageValue" : "Utilization",
                    AverageUtilization = utilization,
                    AverageValue = Qty(cr, "targetAverageValue"),
                },
            };
        }
        if (o?["pods"] is JsonObject p)
        {
            m.Pods = new V2PodsMetricSource
            {
                Metric = new V2MetricIdentifier { Name = Str(p, "metricName"), Selector = Parse<V1LabelSelector>(p["selector"]) },
                Target = new V2MetricTarget { Type = "AverageValue", AverageValue = Qty(p, "targetAverageValue") },
            };
        }
        if (o?["object"] is JsonObject ob)
        {
            var average = Qty(ob, "averageValue");
            m.ObjectProperty = new V2ObjectMetricSource
            {
                DescribedObject = Parse<V2CrossVersionObjectReference>(ob["target"]) ?? new V2CrossVersionObjectReference(),
                Metric = new V2MetricIdentifier { Name = Str(ob, "metricName"), Selector = Parse<V1LabelSelector>(ob["selector"]) },
                Target = new V2MetricTarget { Type = average == null ? "Value" : "AverageValue", Value = Qty(ob, "targetValue"), AverageValue = average },
            };
        }
        if (o?["external"] is JsonObject ex)
        {
            var value = Qty(ex, "targetValue");
            m.External = new V2ExternalMetricSource
            {
                Metric = new V2MetricIdentifier { Name = Str(ex, "metricName"), Selector = Parse<V1LabelSelector>(ex["metricSelector"]) },
                Target = new V2MetricTarget { Type = value != null ? "Value" : "AverageValue", Value = value, AverageValue = Qty(ex, "targetAverageValue") },
            };
        }
        return m;
    }

    private static JsonObject MetricStatusToV1(V2MetricStatus m)
    {
        var o = new JsonObject { ["type"] = m.Type };
        switch (m.Type)
        {
            case "Resource" when m.Resource != null:
                o["resource"] = Obj(("name", m.Resource.Name), ("currentAverageUtilization", m.Resource.Current?.AverageUtilization),
                    ("currentAverageValue", Q(m.Resource.Current?.AverageValue) ?? "0"));
                break;
            case "ContainerResource" when m.ContainerResource != null:
                o["containerResource"] = Obj(("name", m.ContainerResource.Name), ("currentAverageUtilization", m.ContainerResource.Current?.AverageUtilization),
                    ("currentAverageValue", Q(m.ContainerResource.Current?.AverageValue) ?? "0"), ("container", m.ContainerResource.Container ?? ""));
                break;
            case "Pods" when m.Pods != null:
                o["pods"] = Obj(("metricName", m.Pods.Metric?.Name ?? ""), ("currentAverageValue", Q(m.Pods.Current?.AverageValue) ?? "0"),
                    ("selector", Node(m.Pods.Metric?.Selector)));
                break;
            case "Object" when m.ObjectProperty != null:
                o["object"] = Obj(("target", Node(m.ObjectProperty.DescribedObject) ?? new JsonObject()), ("metricName", m.ObjectProperty.Metric?.Name ?? ""),
                    ("currentValue", Q(m.ObjectProperty.Current?.Value) ?? "0"), ("selector", Node(m.ObjectProperty.Metric?.Selector)),
                    ("averageValue", Q(m.ObjectProperty.Current?.AverageValue)));
                break;
            case "External" when m.External != null:
                o["external"] = Obj(("metricName", m.External.Metric?.Name ?? ""), ("metricSelector", Node(m.External.Metric?.Selector)),
                    ("currentValue", Q(m.External.Current?.Value) ?? "0"), ("currentAverageValue", Q(m.External.Current?.AverageValue)));
                break;
        }
        return o;
    }

    private static V2MetricStatus MetricStatusFromV1(JsonObject? o)
    {
        var m = new V2MetricStatus { Type = Str(o, "type") };
        if (o?["resource"] is JsonObject r)
        {
            m.Resource = new V2ResourceMetricStatus
            {
                Name = Str(r, "name"),
                Current = new V2MetricValueStatus { AverageUtilization = Int(r, "currentAverageUtilization"), AverageValue = Qty(r, "currentAverageValue") },
            };
        }
        if (o?["containerResource"] is JsonObject cr)
        {
            m.ContainerResource = new V2ContainerResourceMetricStatus
            {
                Name = Str(cr, "name"),
                Container = Str(cr, "container"),
                Current = new V2MetricValueStatus { AverageUtilization = Int(cr, "currentAverageUtilization"), AverageValue = Qty(cr, "currentAverageValue") },
            };
        }
        if (o?["pods"] is JsonObject p)
        {
            m.Pods = new V2PodsMetricStatus
            {
                Metric = new V2MetricIdentifier { Name = Str(p, "metricName"), Selector = Parse<V1LabelSelector>(p["selector"]) },
                Current = new V2MetricValueStatus { AverageValue = Qty(p, "currentAverageValue") },
            };
        }
        if (o?["object"] is JsonObject ob)
        {
            m.ObjectProperty = new V2ObjectMetricStatus
            {
                DescribedObject = Parse<V2CrossVersionObjectReference>(ob["target"]) ?? new V2CrossVersionObjectReference(),
                Metric = new V2MetricIdentifier { Name = Str(ob, "metricName"), Selector = Parse<V1LabelSelector>(ob["selector"]) },
                Current = new V2MetricValueStatus { Value = Qty(ob, "currentValue"), AverageValue = Qty(ob, "averageValue") },
            };
        }
        if (o?["external"] is JsonObject ex)
        {
            m.External = new V2ExternalMetricStatus
            {
                Metric = new V2MetricIdentifier { Name = Str(ex, "metricName"), Selector = Parse<V1LabelSelector>(ex["metricSelector"]) },
                Current = new V2MetricValueStatus { Value = Qty(ex, "currentValue"), AverageValue = Qty(ex, "currentAverageValue") },
            };
        }
        return m;
    }

    private static JsonObject ConditionToV1(V2HorizontalPodAutoscalerCondition c) => Obj(
        ("type", c.Type ?? ""),
        ("status", c.Status ?? ""),
        ("lastTransitionTime", c.LastTransitionTime is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : null),
        ("reason", string.IsNullOrEmpty(c.Reason) ? null : c.Reason),
        ("message", string.IsNullOrEmpty(c.Message) ? null : c.Message));

    private static V2HorizontalPodAutoscalerCondition ConditionFromV1(JsonObject? o) => new()
    {
        Type = Str(o, "type"),
        Status = Str(o, "status"),
        LastTransitionTime = o?["lastTransitionTime"] is JsonValue v && v.TryGetValue<string>(out var s)
            && DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : null,
        Reason = o?["reason"]?.GetValue<string>(),
        Message = o?["message"]?.GetValue<string>(),
    };

    /// <summary>
    /// The behavior annotation holds upstream's internal type, which has no JSON tags: keys are
    /// the Go field names and unset pointers are null.
    /// </summary>
    private static string BehaviorToAnnotation(V2HorizontalPodAutoscalerBehavior b)
    {
        static JsonNode? Rules(V2HPAScalingRules? r)
        {
            if (r == null)
            {
                return null;
            }
            var o = Obj(
                ("StabilizationWindowSeconds", r.StabilizationWindowSeconds),
                ("SelectPolicy", r.SelectPolicy),
                ("Policies", r.Policies == null ? null : new JsonArray(r.Policies.Select(p => (JsonNode?)Obj(
                    ("Type", p.Type ?? ""), ("Value", p.Value), ("PeriodSeconds", p.PeriodSeconds))).ToArray())));
            o.TryAdd("StabilizationWindowSeconds", null);
            o.TryAdd("SelectPolicy", null);
            o.TryAdd("Policies", null);
            if (r.Tolerance != null)
            {
                o["Tolerance"] = r.Tolerance.ToString();
            }
            return o;
        }
        return new JsonObject { ["ScaleUp"] = Rules(b.ScaleUp), ["ScaleDown"] = Rules(b.ScaleDown) }.ToJsonString();
    }

    private static V2HorizontalPodAutoscalerBehavior? BehaviorFromAnnotation(string json)
    {
        JsonObject? o;
        try
        {
            o = JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        static V2HPAScalingRules? Rules(JsonNode? n)
        {
            if (n is not JsonObject r)
            {
                return null;
            }
            return new V2HPAScalingRules
            {
                StabilizationWindowSeconds = Int(r, "StabilizationWindowSeconds"),
                SelectPolicy = r["SelectPolicy"]?.GetValue<string>(),
                Policies = (r["Policies"] as JsonArray)?.Select(p => new V2HPAScalingPolicy
                {
                    Type = Str(p as JsonObject, "Type"),
                    Value = Int(p as JsonObject, "Value") ?? 0,
                    PeriodSeconds = Int(p as JsonObject, "PeriodSeconds") ?? 0,
                }).ToList(),
                Tolerance = Qty(r, "Tolerance"),
            };
        }
        var behavior = new V2HorizontalPodAutoscalerBehavior { ScaleUp = Rules(o?["ScaleUp"]), ScaleDown = Rules(o?["ScaleDown"]) };
        return behavior.ScaleUp == null && behavior.ScaleDown == null ? null : behavior;
    }

    // ---- small JSON helpers ----

    private static JsonObject Obj(params (string Key, object? Value)[] fields)
    {
        var o = new JsonObject();
        foreach (var (k, v) in fields)
        {
            switch (v)
            {
                case null:
                    break;
                case JsonNode n:
                    o[k] = n;
                    break;
                case string s:
                    o[k] = s;
                    break;
                case int i:
                    o[k] = i;
                    break;
                case long l:
                    o[k] = l;
                    break;
            }
        }
        return o;
    }

    private static string? Q(ResourceQuantity? q) => q?.ToString();

    private static JsonNode? Node(object? value) => Validation.ObjectJson.ToNode(value);

    private static T? Parse<T>(JsonNode? node)
        where T : class => node == null ? null : node.Deserialize<T>(Serialization.ObjectCodec.Options);

    private static string Str(JsonObject? o, string key) => o?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static int? Int(JsonObject? o, string key) => o?[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    private static ResourceQuantity? Qty(JsonObject? o, string key) =>
        o?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? new ResourceQuantity(s) : null;
}
