using Coxswain.Api.Conversion;
using Coxswain.Api.Errors;
using Coxswain.Api.Validation;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Resources.Strategies;

/// <summary>
/// HorizontalPodAutoscalers (autoscaling, stored as v2). The kind is served as v1 and v2 under
/// one name, so this strategy accepts either model: v1 objects get the v1 defaults and are
/// validated in their v2 form (error paths then name v2 fields, as upstream's internal-type
/// validation does).
/// </summary>
public sealed class HorizontalPodAutoscalerStrategy : IResourceStrategy, IPrepareForCreate, IPrepareForUpdate
{
    public const int MaxPeriodSeconds = 1800;
    public const int MaxStabilizationWindowSeconds = 3600;

    private static readonly string[] MetricSourceTypes = ["ContainerResource", "External", "Object", "Pods", "Resource"];

    public void Default(IKubernetesObject<V1ObjectMeta> obj)
    {
        switch (obj)
        {
            case V2HorizontalPodAutoscaler v2:
                DefaultV2(v2);
                break;
            case V1HorizontalPodAutoscaler v1:
                v1.Spec ??= new V1HorizontalPodAutoscalerSpec();
                v1.Spec.MinReplicas ??= 1;
                break;
        }
    }

    public void PrepareForCreate(IKubernetesObject<V1ObjectMeta> obj)
    {
    }

    public void PrepareForUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old)
    {
    }

    public IEnumerable<FieldError> ValidateCreate(IKubernetesObject<V1ObjectMeta> obj) => ValidateSpec(AsV2(obj).Spec ?? new V2HorizontalPodAutoscalerSpec());

    public IEnumerable<FieldError> ValidateUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old) => ValidateCreate(obj);

    /// <summary>minReplicas 1, one cpu Utilization 80% metric when none, and the behavior defaults when a behavior is given.</summary>
    public static void DefaultV2(V2HorizontalPodAutoscaler hpa)
    {
        hpa.Spec ??= new V2HorizontalPodAutoscalerSpec();
        var spec = hpa.Spec;
        spec.MinReplicas ??= 1;
        if (spec.Metrics == null || spec.Metrics.Count == 0)
        {
            spec.Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource
                    {
                        Name = "cpu",
                        Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = HpaConversion.DefaultCpuUtilization },
                    },
                },
            ];
        }
        if (spec.Behavior != null)
        {
            spec.Behavior.ScaleUp = Fill(spec.Behavior.ScaleUp, new V2HPAScalingRules
            {
                StabilizationWindowSeconds = 0,
                SelectPolicy = "Max",
                Policies =
                [
                    new V2HPAScalingPolicy { Type = "Pods", Value = 4, PeriodSeconds = 15 },
                    new V2HPAScalingPolicy { Type = "Percent", Value = 100, PeriodSeconds = 15 },
                ],
            });
            spec.Behavior.ScaleDown = Fill(spec.Behavior.ScaleDown, new V2HPAScalingRules
            {
                SelectPolicy = "Max",
                Policies = [new V2HPAScalingPolicy { Type = "Percent", Value = 100, PeriodSeconds = 15 }],
            });
        }
    }

    private static V2HPAScalingRules Fill(V2HPAScalingRules? given, V2HPAScalingRules defaults)
    {
        if (given == null)
        {
            return defaults;
        }
        defaults.SelectPolicy = given.SelectPolicy ?? defaults.SelectPolicy;
        defaults.StabilizationWindowSeconds = given.StabilizationWindowSeconds ?? defaults.StabilizationWindowSeconds;
        defaults.Policies = given.Policies ?? defaults.Policies;
        defaults.Tolerance = given.Tolerance ?? defaults.Tolerance;
        return defaults;
    }

    private static V2HorizontalPodAutoscaler AsV2(IKubernetesObject<V1ObjectMeta> obj) => obj switch
    {
        V2HorizontalPodAutoscaler v2 => v2,
        V1HorizontalPodAutoscaler v1 => HpaConversion.ToV2(v1),
        _ => throw new ArgumentException($"not a HorizontalPodAutoscaler: {obj.GetType().Name}", nameof(obj)),
    };

    private static List<FieldError> ValidateSpec(V2HorizontalPodAutoscalerSpec spec)
    {
        var errs = new List<FieldError>();
        if (spec.MinReplicas is < 1)
        {
            errs.Add(FieldError.Invalid("spec.minReplicas", spec.MinReplicas.Value, "must be greater than or equal to 1"));
        }
        if (spec.MaxReplicas < 1)
        {
            errs.Add(FieldError.Invalid("spec.maxReplicas", spec.MaxReplicas, "must be greater than 0"));
        }
        if (spec.MinReplicas is { } min && spec.MaxReplicas < min)
        {
            errs.Add(FieldError.Invalid("spec.maxReplicas", spec.MaxReplicas, "must be greater than or equal to `minReplicas`"));
        }
        var refErrors = CrossVersionObjectReference(spec.ScaleTargetRef?.Kind, spec.ScaleTargetRef?.Name, spec.ScaleTargetRef?.ApiVersion, "spec.scaleTargetRef");
        if (refErrors.Count > 0)
        {
            errs.AddRange(refErrors);
        }
        else
        {
            var metrics = spec.Metrics ?? [];
            for (var i = 0; i < metrics.Count; i++)
            {
                errs.AddRange(MetricSpec(metrics[i], $"spec.metrics[{i}]"));
            }
        }
        if (spec.Behavior != null)
        {
            errs.AddRange(ScalingRules(spec.Behavior.ScaleUp, "spec.behavior.scaleUp"));
            errs.AddRange(ScalingRules(spec.Behavior.ScaleDown, "spec.behavior.scaleDown"));
        }
        return errs;
    }

    private static List<FieldError> CrossVersionObjectReference(string? kind, string? name, string? apiVersion, string path)
    {
        var errs = new List<FieldError>();
        if (string.IsNullOrEmpty(kind))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "kind")));
        }
        else
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "kind"), kind, ValidationRules.IsValidPathSegmentName(kind)));
        }
        if (string.IsNullOrEmpty(name))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "name")));
        }
        else
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "name"), name, ValidationRules.IsValidPathSegmentName(name)));
        }
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion.Count(c => c == '/') > 1)
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "apiVersion"), apiVersion, "invalid api version"));
        }
        return errs;
    }

    private static List<FieldError> MetricSpec(V2MetricSpec m, string path)
    {
        var errs = new List<FieldError>();
        var typePath = FieldChecks.Child(path, "type");
        if (string.IsNullOrEmpty(m.Type))
        {
            errs.Add(FieldError.Required(typePath, "must specify a metric source type"));
        }
        if (!MetricSourceTypes.Contains(m.Type))
        {
            errs.Add(FieldChecks.NotSupported(typePath, m.Type ?? "", MetricSourceTypes));
        }
        var present = new List<string>();
        if (m.ObjectProperty != null)
        {
            present.Add("object");
            if (present.Count == 1)
            {
                var op = FieldChecks.Child(path, "object");
                var o = m.ObjectProperty;
                errs.AddRange(CrossVersionObjectReference(o.DescribedObject?.Kind, o.DescribedObject?.Name, o.DescribedObject?.ApiVersion, FieldChecks.Child(op, "describedObject")));
                errs.AddRange(MetricIdentifier(o.Metric, FieldChecks.Child(op, "metric")));
                errs.AddRange(MetricTarget(o.Target, FieldChecks.Child(op, "target")));
                if (o.Target?.Value == null && o.Target?.AverageValue == null)
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(op, "target.averageValue"), "must set either a target value or averageValue"));
                }
            }
        }
        if (m.External != null)
        {
            present.Add("external");
            if (present.Count == 1)
            {
                var ep = FieldChecks.Child(path, "external");
                var e = m.External;
                errs.AddRange(MetricIdentifier(e.Metric, FieldChecks.Child(ep, "metric")));
                errs.AddRange(MetricTarget(e.Target, FieldChecks.Child(ep, "target")));
                if (e.Target?.Value == null && e.Target?.AverageValue == null)
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(ep, "target.averageValue"), "must set either a target value for metric or a per-pod target"));
                }
                if (e.Target?.Value != null && e.Target.AverageValue != null)
                {
                    errs.Add(FieldError.Forbidden(FieldChecks.Child(ep, "target.value"), "may not set both a target value for metric and a per-pod target"));
                }
            }
        }
        if (m.Pods != null)
        {
            present.Add("pods");
            if (present.Count == 1)
            {
                var pp = FieldChecks.Child(path, "pods");
                errs.AddRange(MetricIdentifier(m.Pods.Metric, FieldChecks.Child(pp, "metric")));
                errs.AddRange(MetricTarget(m.Pods.Target, FieldChecks.Child(pp, "target")));
                if (m.Pods.Target?.AverageValue == null)
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(pp, "target.averageValue"), "must specify a positive target averageValue"));
                }
            }
        }
        if (m.Resource != null)
        {
            present.Add("resource");
            if (present.Count == 1)
            {
                errs.AddRange(ResourceSource(m.Resource.Name, m.Resource.Target, FieldChecks.Child(path, "resource")));
            }
        }
        if (m.ContainerResource != null)
        {
            present.Add("containerResource");
            if (present.Count == 1)
            {
                var cp = FieldChecks.Child(path, "containerResource");
                errs.AddRange(ResourceSource(m.ContainerResource.Name, m.ContainerResource.Target, cp));
                if (string.IsNullOrEmpty(m.ContainerResource.Container))
                {
                    errs.Add(FieldError.Required(FieldChecks.Child(cp, "container"), "must specify a container"));
                }
                else
                {
                    errs.AddRange(FieldChecks.DNS1123Label(m.ContainerResource.Container, FieldChecks.Child(cp, "container")));
                }
            }
        }
        (string Field, bool Has) expected = m.Type switch
        {
            "Object" => ("object", m.ObjectProperty != null),
            "Pods" => ("pods", m.Pods != null),
            "Resource" => ("resource", m.Resource != null),
            "External" => ("external", m.External != null),
            "ContainerResource" => ("containerResource", m.ContainerResource != null),
            _ => ("", true),
        };
        if (expected.Field.Length == 0)
        {
            errs.Add(FieldChecks.NotSupported(typePath, m.Type ?? "", MetricSourceTypes));
        }
        else if (!expected.Has)
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, expected.Field), "must populate information for the given metric source"));
        }
        if (present.Count != 1)
        {
            foreach (var field in present.Where(f => f != expected.Field))
            {
                errs.Add(FieldError.Forbidden(FieldChecks.Child(path, field), "must populate the given metric source only"));
            }
        }
        return errs;
    }

    private static List<FieldError> ResourceSource(string? name, V2MetricTarget? target, string path)
    {
        var errs = new List<FieldError>();
        if (string.IsNullOrEmpty(name))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "name"), "must specify a resource name"));
        }
        else
        {
            errs.AddRange(ResourceValidation.ValidateContainerResourceName(name, FieldChecks.Child(path, "name")));
        }
        errs.AddRange(MetricTarget(target, FieldChecks.Child(path, "target")));
        if (target?.AverageUtilization == null && target?.AverageValue == null)
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "target.averageUtilization"), "must set either a target raw value or a target utilization"));
        }
        if (target?.AverageUtilization != null && target.AverageValue != null)
        {
            errs.Add(FieldError.Forbidden(FieldChecks.Child(path, "target.averageValue"), "may not set both a target raw value and a target utilization"));
        }
        return errs;
    }

    private static List<FieldError> MetricIdentifier(V2MetricIdentifier? id, string path)
    {
        var errs = new List<FieldError>();
        if (string.IsNullOrEmpty(id?.Name))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "name"), "must specify a metric name"));
        }
        else
        {
            errs.AddRange(FieldChecks.Messages(FieldChecks.Child(path, "name"), id.Name, ValidationRules.IsValidPathSegmentName(id.Name)));
        }
        errs.AddRange(ObjectMetaValidation.ValidateLabelSelector(id?.Selector, FieldChecks.Child(path, "selector")));
        return errs;
    }

    private static List<FieldError> MetricTarget(V2MetricTarget? t, string path)
    {
        var errs = new List<FieldError>();
        t ??= new V2MetricTarget();
        if (string.IsNullOrEmpty(t.Type))
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "type"), "must specify a metric target type"));
        }
        if (t.Type is not ("Utilization" or "Value" or "AverageValue"))
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "type"), t.Type ?? "", "must be either Utilization, Value, or AverageValue"));
        }
        if (t.Value != null && Quantities.Sign(t.Value) != 1)
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "value"), Quantities.Show(t.Value), "must be positive"));
        }
        if (t.AverageValue != null && Quantities.Sign(t.AverageValue) != 1)
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "averageValue"), Quantities.Show(t.AverageValue), "must be positive"));
        }
        if (t.AverageUtilization is < 1)
        {
            errs.Add(FieldError.Invalid(FieldChecks.Child(path, "averageUtilization"), t.AverageUtilization.Value, "must be greater than 0"));
        }
        return errs;
    }

    private static List<FieldError> ScalingRules(V2HPAScalingRules? rules, string path)
    {
        var errs = new List<FieldError>();
        if (rules == null)
        {
            return errs;
        }
        if (rules.StabilizationWindowSeconds is { } window)
        {
            if (window < 0)
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(path, "stabilizationWindowSeconds"), window, "must be greater than or equal to zero"));
            }
            if (window > MaxStabilizationWindowSeconds)
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(path, "stabilizationWindowSeconds"), window, $"must be less than or equal to {MaxStabilizationWindowSeconds}"));
            }
        }
        if (rules.SelectPolicy != null && rules.SelectPolicy is not ("Max" or "Min" or "Disabled"))
        {
            errs.Add(FieldChecks.NotSupported(FieldChecks.Child(path, "selectPolicy"), rules.SelectPolicy, "Disabled", "Max", "Min"));
        }
        var policies = rules.Policies ?? [];
        if (policies.Count == 0)
        {
            errs.Add(FieldError.Required(FieldChecks.Child(path, "policies"), "must specify at least one Policy"));
        }
        for (var i = 0; i < policies.Count; i++)
        {
            var p = $"{FieldChecks.Child(path, "policies")}[{i}]";
            var policy = policies[i];
            if (policy.Type is not ("Pods" or "Percent"))
            {
                errs.Add(FieldChecks.NotSupported(FieldChecks.Child(p, "type"), policy.Type ?? "", "Percent", "Pods"));
            }
            if (policy.Value <= 0)
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "value"), policy.Value, "must be greater than zero"));
            }
            if (policy.PeriodSeconds <= 0)
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "periodSeconds"), policy.PeriodSeconds, "must be greater than zero"));
            }
            if (policy.PeriodSeconds > MaxPeriodSeconds)
            {
                errs.Add(FieldError.Invalid(FieldChecks.Child(p, "periodSeconds"), policy.PeriodSeconds, $"must be less than or equal to {MaxPeriodSeconds}"));
            }
        }
        return errs;
    }
}
