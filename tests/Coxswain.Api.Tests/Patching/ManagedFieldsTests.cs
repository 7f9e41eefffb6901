using System.Text.Json.Nodes;
using Coxswain.Api.Patching;
using Coxswain.Api.Schema;
using k8s.Models;
using static Coxswain.Api.Tests.Patching.TestJson;

namespace Coxswain.Api.Tests.Patching;

public class ManagedFieldsTests
{
    private static readonly TypeSchema Deployment = ModelSchemas.For(typeof(V1Deployment));
    private static readonly DateTime T1 = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private static readonly DateTime T2 = new(2024, 1, 2, 4, 0, 0, DateTimeKind.Utc);

    /// <summary>What `kubectl create deployment nginx --image=nginx` stores after defaulting.</summary>
    private const string CreatedDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"nginx","namespace":"default","labels":{"app":"nginx"}},
         "spec":{"replicas":1,"selector":{"matchLabels":{"app":"nginx"}},
           "template":{"metadata":{"labels":{"app":"nginx"}},
             "spec":{"containers":[{"name":"nginx","image":"nginx","resources":{},"terminationMessagePath":"/dev/termination-log",
                                    "terminationMessagePolicy":"File","imagePullPolicy":"Always"}],
                     "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler"}},
           "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
           "revisionHistoryLimit":10,"progressDeadlineSeconds":600}}
        """;

    [Fact]
    public void CreateRecordsAnUpdateEntryLikeUpstream()
    {
        var created = ManagedFields.UpdateForWrite(null, O(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T1);
        var entries = created["metadata"]!["managedFields"]!.AsArray();
        var entry = Assert.Single(entries)!;
        Assert.Equal("kubectl-create", (string?)entry["manager"]);
        Assert.Equal("Update", (string?)entry["operation"]);
        Assert.Equal("apps/v1", (string?)entry["apiVersion"]);
        Assert.Equal("2024-01-02T03:04:05Z", (string?)entry["time"]);
        Assert.Equal("FieldsV1", (string?)entry["fieldsType"]);
        Equal("""
            {"f:metadata":{"f:labels":{".":{},"f:app":{}}},
             "f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},
               "f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},
               "f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},
                 "f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{},
                                                   "f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},
                   "f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}}
            """, entry["fieldsV1"]);
        // The serialized order is upstream's: "." first, then fields by name.
        Assert.StartsWith("""{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:progressDeadlineSeconds":{}""", entry["fieldsV1"]!.ToJsonString());
    }

    [Fact]
    public void AnUpdateAddsItsFieldsAndLeavesOtherEntriesAlone()
    {
        var created = ManagedFields.UpdateForWrite(null, O(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T1);
        var labelled = ServerSideApplyTests.Set(created, "metadata", "labels", "env", "prod");
        var result = ManagedFields.UpdateForWrite(created, labelled, Deployment, "kubectl-label", "apps/v1", T2);
        var entries = result["metadata"]!["managedFields"]!.AsArray();
        Assert.Equal(2, entries.Count);
        Equal(created["metadata"]!["managedFields"]![0], entries[0]);
        Equal("""{"manager":"kubectl-label","operation":"Update","apiVersion":"apps/v1","time":"2024-01-02T04:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:env":{}}}}}""", entries[1]);
    }

    [Fact]
    public void ChangedFieldsMoveToTheWriterAndRemovedFieldsLeaveEveryone()
    {
        var created = ManagedFields.UpdateForWrite(null, O(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T1);
        var edited = ServerSideApplyTests.Set(created, "spec", "replicas", 3);
        ((JsonObject)edited["spec"]!).Remove("revisionHistoryLimit");
        var result = ManagedFields.UpdateForWrite(created, edited, Deployment, "kubectl-edit", "apps/v1", T2);
        var entries = result["metadata"]!["managedFields"]!.AsArray();
        var create = entries.Single(e => (string?)e!["manager"] == "kubectl-create")!;
        Assert.Null(create["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Assert.Null(create["fieldsV1"]!["f:spec"]!["f:revisionHistoryLimit"]);
        var edit = entries.Single(e => (string?)e!["manager"] == "kubectl-edit")!;
        Equal("""{"f:spec":{"f:replicas":{}}}""", edit["fieldsV1"]);
    }

    [Fact]
    public void AWriteThatChangesNothingKeepsTheEntries()
    {
        var created = ManagedFields.UpdateForWrite(null, O(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T1);
        var same = ManagedFields.UpdateForWrite(created, (JsonObject)created.DeepClone(), Deployment, "other", "apps/v1", T2);
        Equal(created, same);
    }

    [Fact]
    public void SendingAnEmptyListClearsManagedFieldsAndTheObjectStaysUntracked()
    {
        var created = ManagedFields.UpdateForWrite(null, O(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T1);
        created["metadata"]!["uid"] = "u1";
        var reset = (JsonObject)created.DeepClone();
        reset["metadata"]!["managedFields"] = new JsonArray();
        var cleared = ManagedFields.UpdateForWrite(created, reset, Deployment, "m", "apps/v1", T2);
        Assert.False(cleared["metadata"]!.AsObject().ContainsKey("managedFields"));
        var later = ManagedFields.UpdateForWrite(cleared, ServerSideApplyTests.Set(cleared, "spec", "replicas", 4), Deployment, "m", "apps/v1", T2);
        Assert.False(later["metadata"]!.AsObject().ContainsKey("managedFields"));
    }

    [Fact]
    public void OmittedManagedFieldsKeepTheStoredOnes()
    {
        var created = ManagedFields.UpdateForWrite(null, O(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T1);
        var put = (JsonObject)created.DeepClone();
        ((JsonObject)put["metadata"]!).Remove("managedFields");
        put["spec"]!["paused"] = true;
        var result = ManagedFields.UpdateForWrite(created, put, Deployment, "client", "apps/v1", T2);
        Assert.Equal(2, result["metadata"]!["managedFields"]!.AsArray().Count);
    }

    [Fact]
    public void AStatusWriteIsRecordedWithItsSubresource()
    {
        var created = ManagedFields.UpdateForWrite(null, O(CreatedDeployment), Deployment, "kubectl-create", "apps/v1", T1);
        var status = ServerSideApplyTests.Set(created, "status", "replicas", 1);
        status["metadata"]!["managedFields"] = new JsonArray();
        var result = ManagedFields.UpdateForWrite(created, status, Deployment, "kube-controller-manager", "apps/v1", T2,
            new FieldManagerOptions { Subresource = "status" });
        var entries = result["metadata"]!["managedFields"]!.AsArray();
        Equal("""{"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","time":"2024-01-02T04:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:replicas":{}}},"subresource":"status"}""", entries[1]);
    }

    [Fact]
    public void TheSchemaIsFoundFromTheKind()
    {
        var created = ManagedFields.UpdateForWrite(null, O(CreatedDeployment), "kubectl-create", "Update", "apps/v1", T1);
        Assert.Single(created["metadata"]!["managedFields"]!.AsArray());
        Assert.Throws<ArgumentException>(() => ManagedFields.UpdateForWrite(null, O(CreatedDeployment), "m", "Apply", "apps/v1", T1));
    }

    [Fact]
    public void BeyondTenUpdateManagersTheOldestMergeIntoAncientChanges()
    {
        var obj = ManagedFields.UpdateForWrite(null, O(CreatedDeployment), Deployment, "m0", "apps/v1", T1);
        for (var i = 1; i <= 10; i++)
        {
            obj = ManagedFields.UpdateForWrite(obj, ServerSideApplyTests.Set(obj, "metadata", "annotations", $"a{i}", "x"), Deployment, $"m{i}", "apps/v1", T1.AddMinutes(i));
        }
        var managers = obj["metadata"]!["managedFields"]!.AsArray().Select(e => (string?)e!["manager"]).ToList();
        Assert.Equal(10, managers.Count);
        Assert.Equal("ancient-changes", managers[0]);
        Assert.DoesNotContain("m0", managers);
        Assert.Contains("m10", managers);
        var ancient = obj["metadata"]!["managedFields"]![0]!;
        Assert.Equal("2024-01-02T03:05:05Z", (string?)ancient["time"]);
        Assert.NotNull(ancient["fieldsV1"]!["f:spec"]);
        Assert.NotNull(ancient["fieldsV1"]!["f:metadata"]!["f:annotations"]!["f:a1"]);
    }

    [Theory]
    [InlineData(null, "kubectl/v1.32.4 (linux/amd64) kubernetes/abc", "kubectl")]
    [InlineData("kubectl-edit", "kubectl/v1.32.4", "kubectl-edit")]
    [InlineData(null, "Go-http-client/1.1", "Go-http-client")]
    [InlineData(null, null, "")]
    [InlineData(null, "a\u0001b/1", "ab")]
    public void ManagerNameFromTheRequest(string? fieldManager, string? userAgent, string expected)
    {
        Assert.Equal(expected, ManagedFields.ManagerName(fieldManager, userAgent));
    }

    [Fact]
    public void ManagerNamesAreCutAt128Bytes()
    {
        Assert.Equal(128, ManagedFields.ManagerName(null, new string('x', 300)).Length);
    }
}
