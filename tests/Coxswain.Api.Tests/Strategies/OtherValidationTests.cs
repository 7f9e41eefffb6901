using Coxswain.Api.Resources;
using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Strategies;

public class OtherValidationTests
{
    [Fact]
    public void EventNamespaceMustMatchTheInvolvedObject() => SameErrors(
        ["involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"],
        CreateErrors<Corev1Event>("", """
            apiVersion: v1
            kind: Event
            metadata: {name: e, namespace: default}
            involvedObject: {kind: Pod, name: p, namespace: other}
            reason: Started
            """));

    [Fact]
    public void EventsV1AreStrict() => SameErrors(
        [
            "reportingController: Required value",
            "reportingController: Invalid value: \"\": name part must be non-empty",
            "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "reportingInstance: Required value",
            "action: Required value",
            "type: Invalid value: \"\": has invalid value: Info",
            "count: Invalid value: \"\": needs to be unset",
        ],
        CreateErrors<Eventsv1Event>("events.k8s.io", """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: e, namespace: default}
            eventTime: "2025-01-01T00:00:00.000000Z"
            regarding: {kind: Pod, name: p, namespace: default}
            reason: Started
            type: Info
            deprecatedCount: 3
            """));

    [Fact]
    public void EventsV1NoteIsImmutable()
    {
        const string yaml = """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: e, namespace: default}
            eventTime: "2025-01-01T00:00:00.000000Z"
            regarding: {kind: Pod, name: p, namespace: default}
            reason: Started
            action: Start
            type: Normal
            reportingController: kubelet
            reportingInstance: node-1
            note: first
            """;
        Assert.Empty(CreateErrors<Eventsv1Event>("events.k8s.io", yaml));
        SameErrors(["message: Invalid value: \"second\": field is immutable"], EditErrors<Eventsv1Event>("events.k8s.io", yaml, e => e.Note = "second"));
    }

    private static string Hpa(string spec) => $$$"""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web, namespace: default}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        {{{spec}}}
        """;

    public static TheoryData<string, string[]> HpaCases => new()
    {
        { "  maxReplicas: 3", [] },
        {
            "  minReplicas: 5\n  maxReplicas: 3",
            ["spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`"]
        },
        {
            "  maxReplicas: 0",
            ["spec.maxReplicas: Invalid value: 0: must be greater than 0", "spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`"]
        },
        {
            "  maxReplicas: 3\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 0}}}]",
            ["spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"]
        },
        {
            "  maxReplicas: 3\n  metrics: [{type: Pods, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]",
            ["spec.metrics[0].pods: Required value: must populate information for the given metric source"]
        },
        {
            "  maxReplicas: 3\n  behavior: {scaleUp: {policies: [{type: Pods, value: 0, periodSeconds: 1801}]}}",
            [
                "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
                "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(HpaCases))]
    public void HorizontalPodAutoscalers(string spec, string[] expected) =>
        SameErrors(expected, CreateErrors<V2HorizontalPodAutoscaler>("autoscaling", Hpa(spec)));

    [Fact]
    public void HorizontalPodAutoscalerV1IsValidatedAsV2() => SameErrors(
        ["spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"],
        CreateErrors<V1HorizontalPodAutoscaler>("autoscaling", """
            apiVersion: autoscaling/v1
            kind: HorizontalPodAutoscaler
            metadata: {name: web, namespace: default}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              maxReplicas: 3
              targetCPUUtilizationPercentage: 0
            """));

    [Fact]
    public void PodDisruptionBudgetMinOrMax()
    {
        SameErrors(
            ["spec: Invalid value: {\"maxUnavailable\":1,\"minAvailable\":\"50%\",\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}: minAvailable and maxUnavailable cannot be both set"],
            CreateErrors<V1PodDisruptionBudget>("policy", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: default}\nspec: {minAvailable: 50%, maxUnavailable: 1, selector: {matchLabels: {app: web}}}"));
        SameErrors(
            ["spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"],
            CreateErrors<V1PodDisruptionBudget>("policy", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: default}\nspec: {minAvailable: -1}"));
    }

    [Fact]
    public void PriorityClasses()
    {
        SameErrors(["value: Forbidden: maximum allowed value of a user defined priority is 1000000000"],
            CreateErrors<V1PriorityClass>("scheduling.k8s.io", "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: huge}\nvalue: 1000000001"));
        SameErrors(["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"],
            CreateErrors<V1PriorityClass>("scheduling.k8s.io", "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: system-mine}\nvalue: 5"));
        SameErrors(["value: Forbidden: may not be changed in an update."],
            EditErrors<V1PriorityClass>("scheduling.k8s.io", "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 10", p => p.Value = 11));
    }

    [Fact]
    public void RbacRules()
    {
        SameErrors(
            [
                "rules[0].verbs: Required value: verbs must contain at least one value",
                "rules[1].nonResourceURLs: Invalid value: [\"/healthz\"]: namespaced rules cannot apply to non-resource URLs",
                "rules[2].resources: Required value: resource rules must supply at least one resource",
            ],
            CreateErrors<V1Role>("rbac.authorization.k8s.io", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: r, namespace: default}
                rules:
                - {apiGroups: [""], resources: [pods]}
                - {verbs: [get], nonResourceURLs: [/healthz]}
                - {verbs: [get], apiGroups: [""]}
                """));
        Assert.Empty(CreateErrors<V1ClusterRole>("rbac.authorization.k8s.io", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: "system:health"}
            rules: [{verbs: [get], nonResourceURLs: [/healthz]}]
            """));
    }

    [Fact]
    public void Bindings()
    {
        const string binding = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: b}
            roleRef: {kind: ClusterRole, name: view}
            subjects: [{kind: ServiceAccount, name: default}, {kind: Robot, name: r2}]
            """;
        SameErrors(
            [
                "subjects[0].namespace: Required value",
                "subjects[1].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"",
            ],
            CreateErrors<V1ClusterRoleBinding>("rbac.authorization.k8s.io", binding));
        Assert.Contains("roleRef: Invalid value: {\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"edit\"}: cannot change roleRef",
            EditErrors<V1ClusterRoleBinding>("rbac.authorization.k8s.io", binding, b => b.RoleRef.Name = "edit"));
    }

    [Fact]
    public void Leases() => SameErrors(
        ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"],
        CreateErrors<V1Lease>("coordination.k8s.io", "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: l, namespace: default}\nspec: {leaseDurationSeconds: 0}"));

    [Fact]
    public void ControllerRevisionDataIsRequiredAndFixed()
    {
        SameErrors(["data: Required value: data is mandatory"],
            CreateErrors<V1ControllerRevision>("apps", "apiVersion: apps/v1\nkind: ControllerRevision\nmetadata: {name: r, namespace: default}\nrevision: 1"));
        Assert.Single(EditErrors<V1ControllerRevision>("apps", "apiVersion: apps/v1\nkind: ControllerRevision\nmetadata: {name: r, namespace: default}\nrevision: 1\ndata: {a: 1}",
            r => r.Data = System.Text.Json.JsonDocument.Parse("{\"a\":2}").RootElement));
    }

    [Fact]
    public void KindsWithoutSpecialRulesHaveNoStrategy() =>
        Assert.Same(NoStrategy.Instance, ResourceStrategies.For("", "ServiceAccount"));
}
