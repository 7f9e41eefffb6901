using System.Text.Json.Nodes;
using Coxswain.Api.Errors;
using Coxswain.Api.Patching;
using Coxswain.Api.Schema;
using k8s.Models;
using static Coxswain.Api.Tests.Patching.TestJson;

namespace Coxswain.Api.Tests.Patching;

public class ServerSideApplyTests
{
    private static readonly TypeSchema Deployment = ModelSchemas.For(typeof(V1Deployment));
    private static readonly TypeSchema ConfigMap = ModelSchemas.For(typeof(V1ConfigMap));
    private static readonly TypeSchema Service = ModelSchemas.For(typeof(V1Service));
    private static readonly DateTime T1 = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private static readonly DateTime T2 = new(2024, 1, 2, 4, 0, 0, DateTimeKind.Utc);

    private const string NginxDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: nginx-deployment
          namespace: default
          labels: {app: nginx}
        spec:
          replicas: 3
          selector: {matchLabels: {app: nginx}}
          template:
            metadata: {labels: {app: nginx}}
            spec:
              containers:
              - name: nginx
                image: nginx:1.14.2
                ports:
                - containerPort: 80
        """;

    private static JsonObject Apply(JsonObject? live, string yaml, string manager, bool force = false, DateTime? now = null, TypeSchema? schema = null) =>
        ServerSideApply.Apply(live, (JsonObject)Y(yaml)!, schema ?? Deployment, manager, force, now ?? T1);

    private static JsonNode? ManagedFieldsOf(JsonObject obj) => obj["metadata"]!["managedFields"];

    [Fact]
    public void ConfigMapCreateMatchesTheUpstreamDocumentationExample()
    {
        var result = Apply(null, """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: test-cm
              namespace: default
              labels: {test-label: test}
            data:
              key: some value
            """, "kubectl", schema: ConfigMap);
        Equal("""
            [{"manager":"kubectl","operation":"Apply","apiVersion":"v1","time":"2024-01-02T03:04:05Z","fieldsType":"FieldsV1",
              "fieldsV1":{"f:data":{"f:key":{}},"f:metadata":{"f:labels":{"f:test-label":{}}}}}]
            """, ManagedFieldsOf(result));
        Assert.Equal("some value", (string?)result["data"]!["key"]);
    }

    [Fact]
    public void DeploymentCreateOwnsExactlyTheAppliedFields()
    {
        var result = Apply(null, NginxDeployment, "kubectl");
        var entry = ManagedFieldsOf(result)![0]!;
        Assert.Equal(
            """{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}""",
            Raw(entry["fieldsV1"]));
        Assert.Equal("""{"manager":"kubectl","operation":"Apply","apiVersion":"apps/v1","time":"2024-01-02T03:04:05Z","fieldsType":"FieldsV1"}""",
            Raw(new JsonObject(entry.AsObject().Where(kv => kv.Key != "fieldsV1").Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())))));
    }

    [Fact]
    public void ReapplyingWithoutAFieldRemovesIt()
    {
        var live = Apply(null, NginxDeployment, "kubectl");
        var next = Apply(live, NginxDeployment.Replace("  labels: {app: nginx}\n", ""), "kubectl", now: T2);
        Assert.Null(next["metadata"]!["labels"]);
        var fields = ManagedFieldsOf(next)![0]!["fieldsV1"]!;
        Assert.Null(fields["f:metadata"]);
        Assert.Equal("2024-01-02T04:00:00Z", (string?)ManagedFieldsOf(next)![0]!["time"]);
    }

    [Fact]
    public void RemovingAContainerFromTheConfigRemovesItFromTheObject()
    {
        var two = NginxDeployment + "\n      - name: sidecar\n        image: busybox";
        var live = Apply(null, two, "kubectl");
        Assert.Equal(2, live["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Count);
        var next = Apply(live, NginxDeployment, "kubectl");
        Equal("""[{"name":"nginx","image":"nginx:1.14.2","ports":[{"containerPort":80}]}]""", next["spec"]!["template"]!["spec"]!["containers"]);
    }

    [Fact]
    public void ReapplyingTheSameConfigChangesNothingAndKeepsTheTime()
    {
        var live = Apply(null, NginxDeployment, "kubectl");
        var again = Apply(live, NginxDeployment, "kubectl", now: T2);
        Equal(live, again);
    }

    [Fact]
    public void TwoManagersShareAFieldWithTheSameValue()
    {
        var live = Apply(null, NginxDeployment, "a");
        var shared = Apply(live, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: nginx-deployment, labels: {app: nginx}}
            """, "b", now: T2);
        // b changes nothing, so its entry has no time (and sorts first: entries without time count as 0).
        Equal("""{"manager":"b","operation":"Apply","apiVersion":"apps/v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}}}}""",
            ManagedFieldsOf(shared)![0]);
        // a stops applying the label: b still owns it, so it stays.
        var withoutLabel = Apply(shared, NginxDeployment.Replace("  labels: {app: nginx}\n", ""), "a", now: T2);
        Assert.Equal("nginx", (string?)withoutLabel["metadata"]!["labels"]!["app"]);
        Assert.Null(ManagedFieldsOf(withoutLabel)!.AsArray().Single(e => (string?)e!["manager"] == "a")!["fieldsV1"]!["f:metadata"]);
    }

    [Fact]
    public void ChangingAFieldOwnedByAnotherApplierConflicts()
    {
        var live = Apply(null, NginxDeployment, "a");
        var e = Assert.Throws<ApiException>(() => Apply(live, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: nginx-deployment}
            spec: {replicas: 5}
            """, "b"));
        Assert.Equal(409, e.Code);
        Assert.Equal("Conflict", e.Reason);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"a\": .spec.replicas", e.Message);
        var cause = Assert.Single(e.Details!.Causes);
        Assert.Equal("FieldManagerConflict", cause.Reason);
        Assert.Equal("conflict with \"a\"", cause.Message);
        Assert.Equal(".spec.replicas", cause.Field);
    }

    [Fact]
    public void ForceMovesTheFieldToTheApplier()
    {
        var live = Apply(null, NginxDeployment, "a");
        var forced = Apply(live, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: nginx-deployment}
            spec: {replicas: 5}
            """, "b", force: true, now: T2);
        Assert.Equal(5, (long)forced["spec"]!["replicas"]!);
        var entries = ManagedFieldsOf(forced)!.AsArray();
        Assert.Null(entries[0]!["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Equal("""{"manager":"b","operation":"Apply","apiVersion":"apps/v1","time":"2024-01-02T04:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}}""", entries[1]);
    }

    [Fact]
    public void ConflictsWithSeveralManagersAreGrouped()
    {
        var live = Apply(null, NginxDeployment, "a");
        live = ManagedFields.UpdateForWrite(live, Set(live, "metadata", "labels", "tier", "fe"), Deployment, "kubectl-label", "apps/v1", T2);
        var e = Assert.Throws<ApiException>(() => Apply(live, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: nginx-deployment, labels: {tier: be, app: other}}
            """, "b"));
        Assert.Equal("Apply failed with 2 conflicts: conflicts with \"a\":\n- .metadata.labels.app\nconflicts with \"kubectl-label\" using apps/v1:\n- .metadata.labels.tier", e.Message);
        Assert.Equal(2, e.Details!.Causes.Count);
    }

    [Fact]
    public void AnUpdateTakesTheFieldAndTheApplierThenConflicts()
    {
        var live = Apply(null, NginxDeployment, "kubectl");
        var scaled = ManagedFields.UpdateForWrite(live, Set(live, "spec", "replicas", 10), Deployment, "kubectl-scale", "apps/v1", T2);
        var entries = ManagedFieldsOf(scaled)!.AsArray();
        Assert.Null(entries[0]!["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Equal("""{"manager":"kubectl-scale","operation":"Update","apiVersion":"apps/v1","time":"2024-01-02T04:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}}""", entries[1]);
        var e = Assert.Throws<ApiException>(() => Apply(scaled, NginxDeployment, "kubectl"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-scale\" using apps/v1: .spec.replicas", e.Message);
    }

    [Fact]
    public void ServicePortsAreKeyedByPortAndProtocol()
    {
        const string svc = """
            apiVersion: v1
            kind: Service
            metadata: {name: dns}
            spec:
              ports:
              - {name: dns, port: 53}
              - {name: dns-udp, port: 53, protocol: UDP}
            """;
        var live = Apply(null, svc, "kubectl", schema: Service);
        Assert.Equal(
            """{"f:spec":{"f:ports":{"k:{\"port\":53,\"protocol\":\"TCP\"}":{".":{},"f:name":{},"f:port":{}},"k:{\"port\":53,\"protocol\":\"UDP\"}":{".":{},"f:name":{},"f:port":{},"f:protocol":{}}}}}""",
            Raw(ManagedFieldsOf(live)![0]!["fieldsV1"]));
        var next = Apply(live, svc.Replace("\n  - {name: dns-udp, port: 53, protocol: UDP}", ""), "kubectl", schema: Service);
        Equal("""[{"name":"dns","port":53}]""", next["spec"]!["ports"]);
    }

    [Fact]
    public void ContainerPortsAreKeyedByContainerPortAndProtocol()
    {
        const string config = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: dns}
            spec:
              template:
                spec:
                  containers:
                  - name: dns
                    image: coredns
                    ports:
                    - {containerPort: 53, protocol: UDP, name: dns}
                    - {containerPort: 53, name: dns-tcp}
            """;
        var live = Apply(null, config, "m");
        Equal("""
            {"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"dns\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{
              "k:{\"containerPort\":53,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:name":{}},
              "k:{\"containerPort\":53,\"protocol\":\"UDP\"}":{".":{},"f:containerPort":{},"f:name":{},"f:protocol":{}}}}}}}}}
            """, ManagedFieldsOf(live)![0]!["fieldsV1"]);
        var next = Apply(live, config.Replace("\n        - {containerPort: 53, protocol: UDP, name: dns}", ""), "m");
        Equal("""[{"containerPort":53,"name":"dns-tcp"}]""", next["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]);
    }

    [Fact]
    public void AnAtomicStructConflictsAsAWhole()
    {
        var live = Apply(null, NginxDeployment, "a");
        var e = Assert.Throws<ApiException>(() => Apply(live, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: nginx-deployment}
            spec: {selector: {matchLabels: {app: nginx, tier: fe}}}
            """, "b"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"a\": .spec.selector", e.Message);
    }

    [Fact]
    public void SetsAndAtomicLists()
    {
        var result = Apply(null, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d, finalizers: [example.com/a, example.com/b]}
            spec:
              template:
                spec:
                  tolerations: [{key: k, operator: Exists}]
            """, "m");
        Assert.Equal(
            """{"f:metadata":{"f:finalizers":{"v:\"example.com/a\"":{},"v:\"example.com/b\"":{}}},"f:spec":{"f:template":{"f:spec":{"f:tolerations":{}}}}}""",
            Raw(ManagedFieldsOf(result)![0]!["fieldsV1"]));
    }

    [Fact]
    public void ListItemsMergeInUpstreamOrder()
    {
        var live = Apply(null, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec: {template: {spec: {containers: [{name: a, image: a}, {name: b, image: b}]}}}
            """, "one");
        var merged = Apply(live, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec: {template: {spec: {containers: [{name: c, image: c}, {name: a, image: a}]}}}
            """, "two");
        Equal("""["c","a","b"]""", new JsonArray(merged["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (JsonNode?)c!["name"]!.DeepClone()).ToArray()));
    }

    [Fact]
    public void AnElementWithoutItsKeyIsUpstreamsTypedPatchError()
    {
        var e = Assert.Throws<ApiException>(() => Apply(null, NginxDeployment.Replace("- containerPort: 80", "- name: http"), "kubectl"));
        Assert.Equal(500, e.Code);
        Assert.Equal("failed to create typed patch object (default/nginx-deployment; apps/v1, Kind=Deployment): .spec.template.spec.containers[name=\"nginx\"].ports: element 0: associative list with keys has an element that omits key field \"containerPort\" (and doesn't have default value)", e.Message);
    }

    [Fact]
    public void UnknownFieldsAndDuplicatesAreTypedPatchErrors()
    {
        var unknown = Assert.Throws<ApiException>(() => Apply(null, NginxDeployment.Replace("  replicas: 3", "  replicas: 3\n  foo: bar"), "kubectl"));
        Assert.EndsWith("): .spec.foo: field not declared in schema", unknown.Message);
        var dup = Assert.Throws<ApiException>(() => Apply(null, NginxDeployment.Replace("        - containerPort: 80", "        - containerPort: 80\n        - containerPort: 80"), "kubectl"));
        Assert.EndsWith(".ports: duplicate entries for key [containerPort=80,protocol=\"TCP\"]", dup.Message);
    }

    [Fact]
    public void TheConfigurationMustNotCarryManagedFieldsNorAnotherKind()
    {
        var e = Assert.Throws<ApiException>(() => Apply(null, "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, managedFields: []}}", "m"));
        Assert.Equal(400, e.Code);
        Assert.Equal("metadata.managedFields must be nil", e.Message);
        var kind = Assert.Throws<ApiException>(() => ServerSideApply.Apply(null, O("""{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"d"}}"""), Deployment, "m", false, T1,
            new FieldManagerOptions { ApiVersion = "apps/v1", Kind = "Deployment" }));
        Assert.Equal(400, kind.Code);
        Assert.Equal("invalid object type: apps/v1, Kind=StatefulSet", kind.Message);
    }

    [Fact]
    public void AnObjectWithoutManagedFieldsGetsABeforeFirstApplyOwner()
    {
        var untracked = O("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","uid":"u1","labels":{"x":"1"}},"spec":{"replicas":1}}""");
        var e = Assert.Throws<ApiException>(() => Apply(untracked, "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: 2}}", "m"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas", e.Message);
        var ok = Apply(untracked, "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: 1}}", "m");
        Equal("""
            [{"manager":"m","operation":"Apply","apiVersion":"apps/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}},
             {"manager":"before-first-apply","operation":"Update","apiVersion":"apps/v1","time":"2024-01-02T03:04:05Z","fieldsType":"FieldsV1",
              "fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:x":{}}},"f:spec":{"f:replicas":{}}}}]
            """, ManagedFieldsOf(ok));
    }

    [Fact]
    public void KubectlTakesOverFieldsOfItsLastClientSideApply()
    {
        var lastApplied = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1}}""";
        var created = ManagedFields.UpdateForWrite(null,
            O("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","annotations":{"kubectl.kubernetes.io/last-applied-configuration":LA}},"spec":{"replicas":1}}"""
                .Replace("LA", JsonValue.Create(lastApplied).ToJsonString())),
            Deployment, "kubectl-client-side-apply", "apps/v1", T1);
        const string config = "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: 2}}";
        var other = Assert.Throws<ApiException>(() => Apply(created, config, "someone"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas", other.Message);

        var result = Apply(created, config, "kubectl", now: T2);
        Assert.Equal(2, (long)result["spec"]!["replicas"]!);
        Assert.Equal("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":2}}\n",
            (string?)result["metadata"]!["annotations"]![ServerSideApply.LastAppliedAnnotation]);
    }

    [Fact]
    public void ResetFieldsAreNeitherOwnedNorConflicting()
    {
        var options = new FieldManagerOptions { ResetFields = ["status"] };
        var result = ServerSideApply.Apply(null, O("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"paused":true},"status":{"replicas":3}}"""),
            Deployment, "m", false, T1, options);
        Equal("""{"f:spec":{"f:paused":{}}}""", ManagedFieldsOf(result)![0]!["fieldsV1"]);
    }

    [Fact]
    public void InputsAreNotModified()
    {
        var live = Apply(null, NginxDeployment, "a");
        var liveBefore = Canon(live);
        var config = (JsonObject)Y("{apiVersion: apps/v1, kind: Deployment, metadata: {name: nginx-deployment}, spec: {replicas: 7}}")!;
        var configBefore = Canon(config);
        ServerSideApply.Apply(live, config, Deployment, "a", false, T2);
        Assert.Equal(liveBefore, Canon(live));
        Assert.Equal(configBefore, Canon(config));
    }

    private static string Raw(JsonNode? node) =>
        node!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    internal static JsonObject Set(JsonObject obj, params object[] pathAndValue)
    {
        var copy = (JsonObject)obj.DeepClone();
        var node = copy;
        for (var i = 0; i < pathAndValue.Length - 2; i++)
        {
            var key = (string)pathAndValue[i];
            node[key] ??= new JsonObject();
            node = (JsonObject)node[key]!;
        }
        node[(string)pathAndValue[^2]] = JsonValue.Create(pathAndValue[^1]);
        return copy;
    }
}
