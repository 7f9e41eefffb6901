using Coxswain.Api.Resources;
using Coxswain.Api.Validation;
using k8s.Models;
using static Coxswain.Api.Tests.Strategies.TestObjects;

namespace Coxswain.Api.Tests.Validation;

public class ObjectMetaValidationTests
{
    private const string SubdomainRegex = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

    private static List<string> Errors(V1ObjectMeta meta, bool namespaced = true, NameRule rule = NameRule.Subdomain) =>
        ObjectMetaValidation.ValidateObjectMeta(meta, namespaced, rule).Select(e => e.ToString()).ToList();

    [Fact]
    public void ValidMetadataHasNoErrors() =>
        Assert.Empty(Errors(new V1ObjectMeta
        {
            Name = "web",
            NamespaceProperty = "default",
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "web", ["tier"] = "" },
            Annotations = new Dictionary<string, string> { ["Example.com/Note"] = "anything at all" },
            Finalizers = ["example.com/cleanup", "kubernetes"],
        }));

    [Fact]
    public void NameIsRequiredUnlessGenerated()
    {
        Assert.Equal(["metadata.name: Required value: name or generateName is required"], Errors(new V1ObjectMeta { NamespaceProperty = "default" }));
    }

    [Fact]
    public void NameFollowsTheKindsRule()
    {
        Assert.Equal(
            ["metadata.name: Invalid value: \"Foo\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" + SubdomainRegex + "')"],
            Errors(new V1ObjectMeta { Name = "Foo", NamespaceProperty = "default" }));
        Assert.Equal(
            ["metadata.name: Invalid value: \"a.b\": must not contain dots"],
            Errors(new V1ObjectMeta { Name = "a.b" }, namespaced: false, NameRule.Label));
        Assert.Equal(
            ["metadata.name: Invalid value: \"1svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"],
            Errors(new V1ObjectMeta { Name = "1svc", NamespaceProperty = "default" }, rule: NameRule.Rfc1035Label));
        Assert.Empty(Errors(new V1ObjectMeta { Name = "system:controller:foo" }, namespaced: false, NameRule.PathSegment));
    }

    [Fact]
    public void GenerateNameMayEndInADash()
    {
        Assert.Equal(["metadata.name: Required value: name or generateName is required"],
            Errors(new V1ObjectMeta { GenerateName = "web-", NamespaceProperty = "default" }));
        Assert.Contains(Errors(new V1ObjectMeta { GenerateName = "Web-", Name = "web-abcde", NamespaceProperty = "default" }),
            e => e.StartsWith("metadata.generateName: Invalid value: \"Web-\": a lowercase RFC 1123 subdomain", StringComparison.Ordinal));
    }

    [Fact]
    public void NamespaceRequiredExactlyForNamespacedKinds()
    {
        Assert.Equal(["metadata.namespace: Required value"], Errors(new V1ObjectMeta { Name = "a" }));
        Assert.Equal(["metadata.namespace: Forbidden: not allowed on this type"], Errors(new V1ObjectMeta { Name = "a", NamespaceProperty = "x" }, namespaced: false));
        Assert.Equal(
            ["metadata.namespace: Invalid value: \"Bad\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"],
            Errors(new V1ObjectMeta { Name = "a", NamespaceProperty = "Bad" }));
    }

    [Fact]
    public void LabelKeysAndValues()
    {
        var errors = Errors(new V1ObjectMeta
        {
            Name = "a",
            NamespaceProperty = "default",
            Labels = new Dictionary<string, string> { ["-bad"] = "ok", ["good"] = "not ok" },
        });
        Assert.Equal(
        [
            "metadata.labels: Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "metadata.labels: Invalid value: \"not ok\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ], errors);
    }

    [Fact]
    public void AnnotationsAreLimitedTo256KiB()
    {
        var meta = new V1ObjectMeta
        {
            Name = "a",
            NamespaceProperty = "default",
            Annotations = new Dictionary<string, string> { ["big"] = new string('x', 262141) },
        };
        Assert.Empty(Errors(meta));
        meta.Annotations["big"] += "x";
        Assert.Equal(["metadata.annotations: Too long: must have at most 262144 bytes"], Errors(meta));
    }

    [Fact]
    public void FinalizersMustBeQualifiedOrStandard()
    {
        SameErrors(
        [
            "metadata.finalizers: Invalid value: [\"orphan\",\"foregroundDeletion\",\"cleanup\"]: finalizer orphan and foregroundDeletion cannot be both set",
            "metadata.finalizers[2]: Invalid value: \"cleanup\": name is neither a standard finalizer name nor is it fully qualified",
        ], Errors(new V1ObjectMeta { Name = "a", NamespaceProperty = "default", Finalizers = ["orphan", "foregroundDeletion", "cleanup"] }));
    }

    [Fact]
    public void OwnerReferences()
    {
        var refs = new List<V1OwnerReference>
        {
            new() { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "a", Uid = "1", Controller = true },
            new() { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "b", Uid = "2", Controller = true },
            new() { ApiVersion = "", Kind = "", Name = "", Uid = "" },
        };
        var errors = Errors(new V1ObjectMeta { Name = "p", NamespaceProperty = "default", OwnerReferences = refs });
        Assert.Equal(5, errors.Count);
        Assert.StartsWith("metadata.ownerReferences: Invalid value: [{", errors[0]);
        Assert.EndsWith(": Only one reference can have Controller set to true. Found \"true\" in references for ReplicaSet/a and ReplicaSet/b", errors[0]);
        Assert.Equal("metadata.ownerReferences.apiVersion: Invalid value: \"\": version must not be empty", errors[1]);
        Assert.Equal("metadata.ownerReferences.kind: Invalid value: \"\": kind must not be empty", errors[2]);
        Assert.Equal("metadata.ownerReferences.name: Invalid value: \"\": name must not be empty", errors[3]);
        Assert.Equal("metadata.ownerReferences.uid: Invalid value: \"\": uid must not be empty", errors[4]);
        Assert.EndsWith(": /v1, Kind=Event is disallowed from being an owner",
            Errors(new V1ObjectMeta { Name = "p", NamespaceProperty = "default", OwnerReferences = [new() { ApiVersion = "v1", Kind = "Event", Name = "e", Uid = "u" }] }).Single());
    }

    [Fact]
    public void UpdateKeepsIdentityFields()
    {
        var old = new V1ObjectMeta { Name = "a", NamespaceProperty = "default", Uid = "1", ResourceVersion = "5", Generation = 3 };
        var errors = ObjectMetaValidation.ValidateObjectMetaUpdate(
            new V1ObjectMeta { Name = "b", NamespaceProperty = "default", Uid = "1", Generation = 2 }, old).Select(e => e.ToString()).ToList();
        Assert.Equal(
        [
            "metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
            "metadata.generation: Invalid value: 2: must not be decremented",
            "metadata.name: Invalid value: \"b\": field is immutable",
        ], errors);
    }

    [Fact]
    public void NoNewFinalizersWhileDeleting()
    {
        var old = new V1ObjectMeta { Name = "a", ResourceVersion = "1", DeletionTimestamp = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), Finalizers = ["a.io/x"] };
        var updated = new V1ObjectMeta { Name = "a", ResourceVersion = "1", DeletionTimestamp = old.DeletionTimestamp, Finalizers = ["a.io/x", "b.io/y"] };
        Assert.Equal(["metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"b.io/y\"}"],
            ObjectMetaValidation.ValidateObjectMetaUpdate(updated, old).Select(e => e.ToString()));
    }

    [Fact]
    public void LabelSelectorOperators()
    {
        var selector = new V1LabelSelector
        {
            MatchExpressions =
            [
                new() { Key = "a", OperatorProperty = "In" },
                new() { Key = "b", OperatorProperty = "Exists", Values = ["x"] },
                new() { Key = "c", OperatorProperty = "Like" },
            ],
        };
        Assert.Equal(
        [
            "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            "spec.selector.matchExpressions[2].operator: Invalid value: \"Like\": not a valid selector operator",
        ], ObjectMetaValidation.ValidateLabelSelector(selector, "spec.selector").Select(e => e.ToString()));
    }
}
