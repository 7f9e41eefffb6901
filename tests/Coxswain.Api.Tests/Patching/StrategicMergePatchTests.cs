using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using Coxswain.Api.Patching;
using Coxswain.Api.Schema;
using k8s.Models;
using static Coxswain.Api.Tests.Patching.TestJson;

namespace Coxswain.Api.Tests.Patching;

/// <summary>Strategic merge patch on the built-in kinds, with the merge keys of patch-merge-keys.md.</summary>
public class StrategicMergePatchTests
{
    private static readonly TypeSchema Pod = ModelSchemas.For(typeof(V1Pod));
    private static readonly TypeSchema Deployment = ModelSchemas.For(typeof(V1Deployment));

    private const string PodYaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {app: web, tier: fe}
          finalizers: [a/one, b/two]
        spec:
          containers:
          - name: nginx
            image: nginx:1.25
            ports:
            - {containerPort: 80, protocol: TCP}
            - {containerPort: 443, protocol: TCP}
            env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
          - name: sidecar
            image: busybox
          volumes:
          - name: data
            emptyDir: {}
          - name: conf
            configMap: {name: cfg}
          tolerations:
          - {key: k1, operator: Exists}
          - {key: k2, operator: Exists}
        """;

    private static JsonNode PodDoc() => Y(PodYaml)!;

    private static JsonObject PatchPod(string patchYaml) => StrategicMergePatch.Apply(PodDoc(), Y(patchYaml), Pod);

    [Fact]
    public void ContainersMergeByName()
    {
        var result = PatchPod("spec: {containers: [{name: sidecar, image: busybox:1.36}]}");
        Equal("""[{"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},{"name":"sidecar","image":"busybox:1.36"}]""",
            result["spec"]!["containers"]);
    }

    [Fact]
    public void PortsMergeByContainerPort()
    {
        var result = PatchPod("spec: {containers: [{name: nginx, ports: [{containerPort: 443, name: https}]}]}");
        Equal("""[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP","name":"https"}]""", result["spec"]!["containers"]![0]!["ports"]);
    }

    [Fact]
    public void EnvMergesByNameAndDeletesWithDirective()
    {
        var result = PatchPod("""
            spec:
              containers:
              - name: nginx
                $setElementOrder/env: [{name: B}, {name: C}]
                env:
                - {name: B, value: "22"}
                - {name: C, value: "3"}
                - {name: A, $patch: delete}
            """);
        Equal("""[{"name":"B","value":"22"},{"name":"C","value":"3"}]""", result["spec"]!["containers"]![0]!["env"]);
    }

    [Fact]
    public void KubectlApplyAddingAContainerUsesSetElementOrder()
    {
        var result = PatchPod("""
            spec:
              $setElementOrder/containers: [{name: nginx}, {name: sidecar}, {name: extra}]
              containers:
              - {name: extra, image: redis}
            """);
        Equal("""["nginx","sidecar","extra"]""", new JsonArray(result["spec"]!["containers"]!.AsArray().Select(c => (JsonNode?)c!["name"]!.DeepClone()).ToArray()));
    }

    [Fact]
    public void ContainerDeleteDirective()
    {
        var result = PatchPod("spec: {containers: [{name: sidecar, $patch: delete}]}");
        Assert.Single(result["spec"]!["containers"]!.AsArray());
        Assert.Equal("nginx", (string?)result["spec"]!["containers"]![0]!["name"]);
    }

    [Fact]
    public void ContainersReplaceDirective()
    {
        var result = PatchPod("spec: {containers: [{name: only, image: x}, {$patch: replace}]}");
        Equal("""[{"name":"only","image":"x"}]""", result["spec"]!["containers"]);
    }

    [Fact]
    public void VolumesRetainKeysSwitchesTheVolumeSource()
    {
        var result = PatchPod("""
            spec:
              $setElementOrder/volumes: [{name: data}, {name: conf}]
              volumes:
              - name: data
                $retainKeys: [name, hostPath]
                hostPath: {path: /tmp}
            """);
        Equal("""[{"name":"data","hostPath":{"path":"/tmp"}},{"name":"conf","configMap":{"name":"cfg"}}]""", result["spec"]!["volumes"]);
    }

    [Fact]
    public void FinalizersMergeAsASet()
    {
        var result = PatchPod("""
            metadata:
              $deleteFromPrimitiveList/finalizers: [a/one]
              finalizers: [c/three, b/two]
            """);
        Equal("""["c/three","b/two"]""", result["metadata"]!["finalizers"]);
    }

    [Fact]
    public void TolerationsAreReplaced()
    {
        var result = PatchPod("spec: {tolerations: [{key: k3, operator: Exists}]}");
        Equal("""[{"key":"k3","operator":"Exists"}]""", result["spec"]!["tolerations"]);
    }

    [Fact]
    public void LabelsMergeKeyByKeyAndNullDeletes()
    {
        var result = PatchPod("metadata: {labels: {tier: null, env: prod}}");
        Equal("""{"app":"web","env":"prod"}""", result["metadata"]!["labels"]);
    }

    [Fact]
    public void UnknownFieldsMergeLikeMergePatch()
    {
        var result = PatchPod("spec: {somethingNew: {a: 1, b: null}, containers: [{name: nginx, futureField: [1]}]}");
        Equal("""{"a":1}""", result["spec"]!["somethingNew"]);
        Equal("[1]", result["spec"]!["containers"]![0]!["futureField"]);
    }

    [Fact]
    public void KubectlRolloutRestart()
    {
        var deployment = Y("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 2
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: nginx, image: nginx}]}
            """)!;
        var result = StrategicMergePatch.Apply(deployment,
            J("""{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2024-01-01T00:00:00Z"}}}}}"""), Deployment);
        Equal("""{"labels":{"app":"web"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2024-01-01T00:00:00Z"}}""", result["spec"]!["template"]!["metadata"]);
    }

    [Fact]
    public void DeploymentStrategyRetainKeysDropsRollingUpdate()
    {
        var deployment = Y("spec: {strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}}")!;
        var result = StrategicMergePatch.Apply(deployment, Y("spec: {strategy: {$retainKeys: [type], type: Recreate}}"), Deployment);
        Equal("""{"type":"Recreate"}""", result["spec"]!["strategy"]);
    }

    [Fact]
    public void PdbSelectorIsReplacedNotMerged()
    {
        var pdb = Y("spec: {selector: {matchLabels: {app: web}}, minAvailable: 1}")!;
        var result = StrategicMergePatch.Apply(pdb, Y("spec: {selector: {matchLabels: {tier: fe}}}"), ModelSchemas.For(typeof(V1PodDisruptionBudget)));
        Equal("""{"matchLabels":{"tier":"fe"}}""", result["spec"]!["selector"]);
    }

    [Fact]
    public void LabelSelectorWithoutStrategyMerges()
    {
        var deployment = Y("spec: {selector: {matchLabels: {app: web}}}")!;
        var result = StrategicMergePatch.Apply(deployment, Y("spec: {selector: {matchLabels: {tier: fe}}}"), Deployment);
        Equal("""{"matchLabels":{"app":"web","tier":"fe"}}""", result["spec"]!["selector"]);
    }

    [Fact]
    public void NestedMapDeleteAndReplaceDirectives()
    {
        var deleted = PatchPod("metadata: {labels: {$patch: delete}}");
        Equal("{}", deleted["metadata"]!["labels"]);
        var replaced = PatchPod("metadata: {labels: {only: x, $patch: replace}}");
        Equal("""{"only":"x"}""", replaced["metadata"]!["labels"]);
        var added = PatchPod("metadata: {annotations: {$patch: delete}}");
        Assert.False(added["metadata"]!.AsObject().ContainsKey("annotations"));
    }

    [Fact]
    public void ANullPatchChangesNothingAndInputsAreNotModified()
    {
        var doc = PodDoc();
        var before = Canon(doc);
        Equal(doc, StrategicMergePatch.Apply(doc, null, Pod));
        var patch = Y("spec: {containers: [{name: nginx, image: x}]}");
        var patchBefore = Canon(patch);
        StrategicMergePatch.Apply(doc, patch, Pod);
        Assert.Equal(before, Canon(doc));
        Assert.Equal(patchBefore, Canon(patch));
    }

    [Theory]
    [InlineData("[]", "json: cannot unmarshal array into Go value of type map[string]interface {}")]
    [InlineData("\"x\"", "json: cannot unmarshal string into Go value of type map[string]interface {}")]
    public void ANonObjectPatchIs400(string patch, string message)
    {
        var e = Assert.Throws<ApiException>(() => StrategicMergePatch.Apply(PodDoc(), J(patch), Pod));
        Assert.Equal(400, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void MissingMergeKeyIsUpstreamsPlainError()
    {
        var e = Assert.Throws<ApiException>(() => PatchPod("spec: {containers: [{image: x}]}"));
        Assert.Equal(500, e.Code);
        Assert.Equal("", e.Reason);
        Assert.Equal("map: map[image:x] does not contain declared merge key: name", e.Message);
    }
}
