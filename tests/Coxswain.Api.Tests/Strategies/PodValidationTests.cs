using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Strategies;

public class PodValidationTests
{
    private static List<string> Errors(string spec) => CreateErrors<V1Pod>("", $"""
        apiVersion: v1
        kind: Pod
        metadata: {"{"}name: p, namespace: default{"}"}
        spec:
        {Indent(spec)}
        """);

    private static string Indent(string yaml) => string.Join("\n", yaml.Split('\n').Select(l => "  " + l));

    public static TheoryData<string, string[]> Cases => new()
    {
        { "containers: []", ["spec.containers: Required value"] },
        { "containers: [{}]", ["spec.containers[0].name: Required value", "spec.containers[0].image: Required value"] },
        {
            "containers: [{name: app, image: a}, {name: app, image: b}]",
            ["spec.containers[1].name: Duplicate value: \"app\""]
        },
        {
            "containers: [{name: App_1, image: a}]",
            ["spec.containers[0].name: Invalid value: \"App_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]
        },
        {
            "containers: [{name: app, image: a, ports: [{containerPort: 70000}]}]",
            ["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"]
        },
        {
            "containers: [{name: app, image: a, ports: [{containerPort: 80, protocol: HTTP}]}]",
            ["spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""]
        },
        {
            "containers: [{name: app, image: a, ports: [{name: http, containerPort: 80}, {name: http, containerPort: 81}]}]",
            ["spec.containers[0].ports[1].name: Duplicate value: \"http\""]
        },
        {
            "containers:\n- {name: a, image: a, ports: [{containerPort: 80, hostPort: 80}]}\n- {name: b, image: b, ports: [{containerPort: 81, hostPort: 80}]}",
            ["spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//80\""]
        },
        {
            "restartPolicy: Sometimes\ncontainers: [{name: app, image: a}]",
            ["spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""]
        },
        {
            "dnsPolicy: None\ncontainers: [{name: app, image: a}]",
            ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"]
        },
        {
            "containers: [{name: app, image: a, resources: {requests: {cpu: \"2\"}, limits: {cpu: \"1\"}}}]",
            ["spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1"]
        },
        {
            "containers: [{name: app, image: a, resources: {requests: {example.com/gpu: \"1\"}}}]",
            ["spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"]
        },
        {
            "containers: [{name: app, image: a, resources: {limits: {gpu: \"1\"}}}]",
            [
                "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard resource type or fully qualified",
                "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard resource for containers",
                "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource type or fully qualified",
                "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource for containers",
            ]
        },
        {
            "containers: [{name: app, image: a, env: [{name: A=B, value: x}]}]",
            ["spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='"]
        },
        {
            "containers: [{name: app, image: a, env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]}]",
            ["spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"]
        },
        {
            "containers: [{name: app, image: a, env: [{name: A, valueFrom: {fieldRef: {fieldPath: spec.foo}}}]}]",
            ["spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: \"spec.foo\": supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\""]
        },
        {
            "containers: [{name: app, image: a, volumeMounts: [{name: missing, mountPath: /data}]}]",
            ["spec.containers[0].volumeMounts[0].name: Not found: \"missing\""]
        },
        {
            "containers: [{name: app, image: a}]\nvolumes: [{name: v, hostPath: {path: /x}, emptyDir: {}}]",
            ["spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"]
        },
        {
            "containers: [{name: app, image: a}]\nvolumes: [{name: v, emptyDir: {}}, {name: v, emptyDir: {}}]",
            ["spec.volumes[1].name: Duplicate value: \"v\""]
        },
        {
            "containers: [{name: app, image: a}]\nvolumes: [{name: v, secret: {}}]",
            ["spec.volumes[0].secret.secretName: Required value"]
        },
        {
            "containers: [{name: app, image: a, livenessProbe: {exec: {command: [\"true\"]}, successThreshold: 2}}]",
            ["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"]
        },
        {
            "containers: [{name: app, image: a, readinessProbe: {}}]",
            ["spec.containers[0].readinessProbe: Required value: must specify a handler type"]
        },
        {
            "activeDeadlineSeconds: 0\ncontainers: [{name: app, image: a}]",
            ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"]
        },
        {
            "containers: [{name: app, image: a}]\ninitContainers: [{name: app, image: b, livenessProbe: {exec: {command: [\"true\"]}}}]",
            [
                "spec.initContainers[0].name: Duplicate value: \"app\"",
                "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",
            ]
        },
        {
            "containers: [{name: app, image: \" nginx\"}]",
            ["spec.containers[0].image: Invalid value: \" nginx\": must not have leading or trailing whitespace"]
        },
        {
            "nodeSelector: {\"bad key\": x}\ncontainers: [{name: app, image: a}]",
            ["spec.nodeSelector: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]
        },
        {
            "containers: [{name: app, image: a}]\ntolerations: [{key: a, operator: Exists, value: b}]",
            ["spec.tolerations[0].operator: Invalid value: {\"key\":\"a\",\"operator\":\"Exists\",\"value\":\"b\"}: value must be empty when `operator` is 'Exists'"]
        },
        {
            "containers: [{name: app, image: a}]\naffinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 101, preference: {}}]}}",
            ["spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: must be in the range 1-100"]
        },
        {
            "hostNetwork: true\ncontainers: [{name: app, image: a, ports: [{containerPort: 80, hostPort: 8080}]}]",
            ["spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true"]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CreateValidation(string spec, string[] expected) => SameErrors(expected, Errors(spec));

    [Fact]
    public void ValidPodHasNoErrors() => Assert.Empty(Errors("""
        containers:
        - name: app
          image: nginx:1.27
          ports: [{name: http, containerPort: 80}]
          env: [{name: MODE, value: prod}]
          volumeMounts: [{name: cfg, mountPath: /etc/app}]
          readinessProbe: {httpGet: {port: http}}
          resources: {requests: {cpu: 100m}, limits: {cpu: 200m, memory: 64Mi}}
        volumes: [{name: cfg, configMap: {name: app}}]
        """));

    [Fact]
    public void EphemeralContainersCannotBeSetOnCreate() =>
        Assert.Contains("spec.ephemeralContainers: Forbidden: cannot be set on create",
            Errors("containers: [{name: app, image: a}]\nephemeralContainers: [{name: dbg, image: busybox}]"));

    private const string Original = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: default}
        spec:
          activeDeadlineSeconds: 10
          containers: [{name: app, image: "nginx:1.26"}]
          tolerations: [{key: a, operator: Exists, effect: NoSchedule}]
        """;

    [Fact]
    public void ImageActiveDeadlineAndNewTolerationsMayChange() => Assert.Empty(UpdateErrors<V1Pod>("", Original, """
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: default}
        spec:
          activeDeadlineSeconds: 5
          containers: [{name: app, image: "nginx:1.27"}]
          tolerations: [{key: a, operator: Exists, effect: NoSchedule}, {key: b, operator: Exists}]
        """));

    [Fact]
    public void OtherSpecFieldsMayNot() => SameErrors(
        [
            "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
            + "\n- spec.restartPolicy: \"Always\"\n+ spec.restartPolicy: \"Never\"",
        ],
        UpdateErrors<V1Pod>("", Original, """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              restartPolicy: Never
              activeDeadlineSeconds: 10
              containers: [{name: app, image: "nginx:1.26"}]
              tolerations: [{key: a, operator: Exists, effect: NoSchedule}]
            """));

    [Fact]
    public void ContainersMayNotBeAddedOrRemoved() => SameErrors(
        ["spec.containers: Forbidden: pod updates may not add or remove containers"],
        UpdateErrors<V1Pod>("", Original, """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              activeDeadlineSeconds: 10
              containers: [{name: app, image: "nginx:1.26"}, {name: side, image: busybox}]
              tolerations: [{key: a, operator: Exists, effect: NoSchedule}]
            """));

    [Fact]
    public void ActiveDeadlineMayOnlyShrink() => SameErrors(
        ["spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value"],
        UpdateErrors<V1Pod>("", Original, Original.Replace("activeDeadlineSeconds: 10", "activeDeadlineSeconds: 20")));

    [Fact]
    public void ExistingTolerationsMayNotChange() => SameErrors(
        ["spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"],
        UpdateErrors<V1Pod>("", Original, Original.Replace("effect: NoSchedule", "effect: PreferNoSchedule")));
}
