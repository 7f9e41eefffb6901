using System.Text.Json.Nodes;
using Coxswain.Api.Conversion;
using Coxswain.Api.Resources;
using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Conversion;

public class HpaConversionTests
{
    private const string V1 = """
        apiVersion: autoscaling/v1
        kind: HorizontalPodAutoscaler
        metadata:
          name: web
          namespace: default
          uid: 5d1c7f0e-0000-4000-8000-000000000001
          resourceVersion: "42"
          labels: {app: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 2
          maxReplicas: 10
          targetCPUUtilizationPercentage: 70
        status:
          currentReplicas: 3
          desiredReplicas: 4
          currentCPUUtilizationPercentage: 90
        """;

    [Fact]
    public void V1ToV2MapsTheCpuTarget() => AssertJson("""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: web
          namespace: default
          uid: 5d1c7f0e-0000-4000-8000-000000000001
          resourceVersion: "42"
          labels: {app: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 2
          maxReplicas: 10
          metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
        status:
          currentReplicas: 3
          desiredReplicas: 4
          currentMetrics:
          - type: Resource
            resource: {name: cpu, current: {averageUtilization: 90}}
        """, HpaConversion.ToV2(From<V1HorizontalPodAutoscaler>(V1)));

    [Fact]
    public void V1RoundTripsThroughV2()
    {
        // Upstream keeps the raw current metrics in an annotation even when they map to the cpu percentage.
        var expected = V1.Replace("  labels: {app: web}\n",
            "  labels: {app: web}\n  annotations:\n    autoscaling.alpha.kubernetes.io/current-metrics: '[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"currentAverageUtilization\":90,\"currentAverageValue\":\"0\"}}]'\n");
        AssertJson(expected, HpaConversion.ToV1(HpaConversion.ToV2(From<V1HorizontalPodAutoscaler>(V1))));
    }

    [Fact]
    public void V1WithoutTargetGetsTheDefaultCpuMetric()
    {
        var v2 = HpaConversion.ToV2(From<V1HorizontalPodAutoscaler>(V1.Replace("  targetCPUUtilizationPercentage: 70\n", "")));
        Assert.Equal(80, v2.Spec.Metrics.Single().Resource.Target.AverageUtilization);
    }

    private const string V2 = """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: web
          namespace: default
          annotations: {note: keep}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 1
          maxReplicas: 10
          metrics:
          - type: Resource
            resource: {name: memory, target: {type: AverageValue, averageValue: 500Mi}}
          - type: Pods
            pods:
              metric: {name: requests_per_second}
              target: {type: AverageValue, averageValue: "100"}
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
          behavior:
            scaleDown:
              stabilizationWindowSeconds: 300
              selectPolicy: Max
              policies: [{type: Percent, value: 100, periodSeconds: 15}]
        status:
          currentReplicas: 2
          desiredReplicas: 2
          currentMetrics:
          - type: Resource
            resource: {name: cpu, current: {averageUtilization: 50, averageValue: 250m}}
          conditions:
          - type: AbleToScale
            status: "True"
            lastTransitionTime: "2025-01-02T03:04:05Z"
            reason: ReadyForNewScale
            message: recommended size matches current size
        """;

    [Fact]
    public void V2OnlyFieldsTravelInAnnotations()
    {
        var v1 = HpaConversion.ToV1(From<V2HorizontalPodAutoscaler>(V2));
        Assert.Equal(60, v1.Spec.TargetCPUUtilizationPercentage);
        Assert.Equal(50, v1.Status.CurrentCPUUtilizationPercentage);
        var annotations = v1.Metadata.Annotations;
        Assert.Equal("keep", annotations["note"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}},{"type":"Pods","pods":{"metricName":"requests_per_second","targetAverageValue":"100"}}]"""),
            JsonNode.Parse(annotations[HpaConversion.MetricSpecsAnnotation])), annotations[HpaConversion.MetricSpecsAnnotation]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":50,"currentAverageValue":"250m"}}]"""),
            JsonNode.Parse(annotations[HpaConversion.MetricStatusesAnnotation])), annotations[HpaConversion.MetricStatusesAnnotation]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"type":"AbleToScale","status":"True","lastTransitionTime":"2025-01-02T03:04:05Z","reason":"ReadyForNewScale","message":"recommended size matches current size"}]"""),
            JsonNode.Parse(annotations[HpaConversion.ConditionsAnnotation])), annotations[HpaConversion.ConditionsAnnotation]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":300,"SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}]}}"""),
            JsonNode.Parse(annotations[HpaConversion.BehaviorAnnotation])), annotations[HpaConversion.BehaviorAnnotation]);
    }

    [Fact]
    public void V2RoundTripsThroughV1()
    {
        var original = From<V2HorizontalPodAutoscaler>(V2);
        var back = HpaConversion.ToV2(HpaConversion.ToV1(original));
        // The cpu utilization metric comes back last, as upstream appends it after the annotation's metrics.
        AssertJson(V2, back);
    }

    [Fact]
    public void CatalogConverterStoresV1AsV2()
    {
        var def = ResourceCatalog.Default.FindByKind("autoscaling/v1", "HorizontalPodAutoscaler")!;
        var stored = def.Converter!.ToStorage(From<V1HorizontalPodAutoscaler>(V1));
        Assert.IsType<V2HorizontalPodAutoscaler>(stored);
        Assert.Equal("autoscaling/v2", stored.ApiVersion);
        var served = def.Converter.FromStorage(stored);
        Assert.IsType<V1HorizontalPodAutoscaler>(served);
        Assert.Equal("42", served.Metadata.ResourceVersion);
    }
}
