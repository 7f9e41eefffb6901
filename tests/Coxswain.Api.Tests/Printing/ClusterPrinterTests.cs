using Coxswain.Api.Printing;
using k8s.Models;

namespace Coxswain.Api.Tests.Printing;

/// <summary>Volume kinds, the smaller groups, the default printer and the registry.</summary>
public class ClusterPrinterTests : PrinterTestBase
{
    [Fact]
    public void PersistentVolume_rows()
    {
        Assert.Equal("Name|Capacity|Access Modes|Reclaim Policy|Status|Claim|StorageClass|VolumeAttributesClass|Reason|Age|VolumeMode*", Header("", "PersistentVolume"));
        var pv = new V1PersistentVolume
        {
            Metadata = Meta("pv-1", ns: null),
            Spec = new V1PersistentVolumeSpec
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("10Gi") },
                AccessModes = ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"],
                PersistentVolumeReclaimPolicy = "Retain",
                ClaimRef = new V1ObjectReference { NamespaceProperty = "default", Name = "data" },
                StorageClassName = "standard",
                VolumeMode = "Filesystem",
            },
            Status = new V1PersistentVolumeStatus { Phase = "Bound" },
        };
        Assert.Equal(["pv-1", "10Gi", "RWO,RWX", "Retain", "Bound", "default/data", "standard", "<unset>", "", "5m", "Filesystem"], Row("", "PersistentVolume", pv));

        pv.Metadata.DeletionTimestamp = Now;
        pv.Metadata.Annotations = new Dictionary<string, string> { ["volume.beta.kubernetes.io/storage-class"] = "legacy" };
        pv.Spec.ClaimRef = null;
        pv.Spec.Capacity = null;
        pv.Spec.VolumeMode = null;
        pv.Spec.VolumeAttributesClassName = "gold";
        Assert.Equal(["pv-1", "0", "RWO,RWX", "Retain", "Terminating", "", "legacy", "gold", "", "5m", "<unset>"], Row("", "PersistentVolume", pv));
    }

    [Fact]
    public void PersistentVolumeClaim_rows()
    {
        Assert.Equal("Name|Status|Volume|Capacity|Access Modes|StorageClass|VolumeAttributesClass|Age|VolumeMode*", Header("", "PersistentVolumeClaim"));
        var pvc = new V1PersistentVolumeClaim
        {
            Metadata = Meta("data"),
            Spec = new V1PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"], StorageClassName = "standard", VolumeMode = "Filesystem" },
            Status = new V1PersistentVolumeClaimStatus { Phase = "Pending" },
        };
        Assert.Equal(["data", "Pending", "", "", "", "standard", "<unset>", "5m", "Filesystem"], Row("", "PersistentVolumeClaim", pvc));

        pvc.Spec.VolumeName = "pv-1";
        pvc.Status = new V1PersistentVolumeClaimStatus
        {
            Phase = "Bound",
            AccessModes = ["ReadWriteOncePod", "ReadOnlyMany"],
            Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") },
        };
        Assert.Equal(["data", "Bound", "pv-1", "1Gi", "ROX,RWOP", "standard"], Row("", "PersistentVolumeClaim", pvc)[..6]);
    }

    [Fact]
    public void StorageClass_rows()
    {
        Assert.Equal("Name|Provisioner|ReclaimPolicy|VolumeBindingMode|AllowVolumeExpansion|Age", Header("storage.k8s.io", "StorageClass"));
        var sc = new V1StorageClass { Metadata = Meta("standard", ns: null), Provisioner = "rancher.io/local-path" };
        Assert.Equal(["standard", "rancher.io/local-path", "Delete", "Immediate", false, "5m"], Row("storage.k8s.io", "StorageClass", sc));

        sc.Metadata.Annotations = new Dictionary<string, string> { ["storageclass.kubernetes.io/is-default-class"] = "true" };
        sc.ReclaimPolicy = "Retain";
        sc.VolumeBindingMode = "WaitForFirstConsumer";
        sc.AllowVolumeExpansion = true;
        Assert.Equal(["standard (default)", "rancher.io/local-path", "Retain", "WaitForFirstConsumer", true, "5m"], Row("storage.k8s.io", "StorageClass", sc));
        sc.Metadata.Annotations = new Dictionary<string, string> { ["storageclass.beta.kubernetes.io/is-default-class"] = "true" };
        Assert.Equal("standard (default)", Row("storage.k8s.io", "StorageClass", sc)[0]);
        sc.Metadata.Annotations = new Dictionary<string, string> { ["storageclass.kubernetes.io/is-default-class"] = "false" };
        Assert.Equal("standard", Row("storage.k8s.io", "StorageClass", sc)[0]);
    }

    [Fact]
    public void Lease_pdb_and_priority_class_rows()
    {
        Assert.Equal(["kube-scheduler", "node-1_abc", "5m"],
            Row("coordination.k8s.io", "Lease", new V1Lease { Metadata = Meta("kube-scheduler"), Spec = new V1LeaseSpec { HolderIdentity = "node-1_abc" } }));
        Assert.Equal(["l", "", "5m"], Row("coordination.k8s.io", "Lease", new V1Lease { Metadata = Meta("l") }));

        Assert.Equal("Name|Min Available|Max Unavailable|Allowed Disruptions|Age", Header("policy", "PodDisruptionBudget"));
        Assert.Equal(["web", "2", "N/A", 1L, "5m"], Row("policy", "PodDisruptionBudget", new V1PodDisruptionBudget
        {
            Metadata = Meta("web"),
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 2 },
            Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = 1 },
        }));
        Assert.Equal(["N/A", "25%", 0L], Row("policy", "PodDisruptionBudget", new V1PodDisruptionBudget
        {
            Metadata = Meta("web"),
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = "25%" },
        })[1..4]);

        Assert.Equal("Name|Value|Global-Default|Age|PreemptionPolicy", Header("scheduling.k8s.io", "PriorityClass"));
        Assert.Equal(["system-node-critical", 2000001000L, false, "5m", "PreemptLowerPriority"], Row("scheduling.k8s.io", "PriorityClass", new V1PriorityClass
        {
            Metadata = Meta("system-node-critical", ns: null),
            Value = 2000001000,
            PreemptionPolicy = "PreemptLowerPriority",
        }));
        var defaulted = Row("scheduling.k8s.io", "PriorityClass", new V1PriorityClass { Metadata = Meta("p"), Value = 1, GlobalDefault = true });
        Assert.Equal([true, ""], new[] { defaulted[2], defaulted[4] });
    }

    [Fact]
    public void Binding_rows()
    {
        Assert.Equal("Name|Role|Age|Users*|Groups*|ServiceAccounts*", Header("rbac.authorization.k8s.io", "RoleBinding"));
        Rbacv1Subject[] subjects =
        [
            new() { Kind = "User", Name = "alice" },
            new() { Kind = "ServiceAccount", Name = "builder", NamespaceProperty = "ci" },
            new() { Kind = "Group", Name = "devs" },
            new() { Kind = "User", Name = "bob" },
            new() { Kind = "Other", Name = "x" },
        ];
        var rb = new V1RoleBinding { Metadata = Meta("edit"), RoleRef = new V1RoleRef { Kind = "ClusterRole", Name = "edit", ApiGroup = "rbac.authorization.k8s.io" }, Subjects = subjects };
        Assert.Equal(["edit", "ClusterRole/edit", "5m", "alice, bob", "devs", "ci/builder"], Row("rbac.authorization.k8s.io", "RoleBinding", rb));

        var crb = new V1ClusterRoleBinding { Metadata = Meta("admins", ns: null), RoleRef = new V1RoleRef { Kind = "ClusterRole", Name = "cluster-admin" } };
        Assert.Equal(["admins", "ClusterRole/cluster-admin", "5m", "", "", ""], Row("rbac.authorization.k8s.io", "ClusterRoleBinding", crb));
        Assert.Equal("Users in the clusterRoleBinding", TablePrinters.For("rbac.authorization.k8s.io", "ClusterRoleBinding").Columns[3].Description);
    }

    [Theory]
    [InlineData("rbac.authorization.k8s.io", "Role")]
    [InlineData("rbac.authorization.k8s.io", "ClusterRole")]
    [InlineData("", "LimitRange")]
    [InlineData("example.com", "Widget")]
    public void Kinds_without_a_printer_use_the_default(string group, string kind)
    {
        var printer = TablePrinters.For(group, kind);
        Assert.Same(DefaultTablePrinter.Instance, printer);
        Assert.Equal(["string", "date"], printer.Columns.Select(c => c.Type));
        var role = new V1Role { Metadata = new V1ObjectMeta { Name = "reader", CreationTimestamp = new DateTime(2024, 5, 1, 14, 0, 0, DateTimeKind.Utc).ToLocalTime() } };
        Assert.Equal(["reader", "2024-05-01T14:00:00Z"], printer.Cells(role, Now));
        Assert.Equal(["x", "0001-01-01T00:00:00Z"], printer.Cells(new V1LimitRange { Metadata = new V1ObjectMeta { Name = "x" } }, Now));
    }

    public static TheoryData<string, string, string> IntegerColumns => new()
    {
        { "apps", "ReplicaSet", "Desired,Current,Ready" },
        { "apps", "DaemonSet", "Desired,Current,Ready,Up-to-date,Available" },
        { "batch", "CronJob", "Active" },
        { "policy", "PodDisruptionBudget", "Allowed Disruptions" },
        { "scheduling.k8s.io", "PriorityClass", "Value" },
        { "apps", "Deployment", "" },
        { "", "Pod", "" },
    };

    [Theory]
    [MemberData(nameof(IntegerColumns))]
    public void Declared_integer_columns(string group, string kind, string names)
    {
        Assert.Equal(names, string.Join(",", TablePrinters.For(group, kind).Columns.Where(c => c.Type == "integer").Select(c => c.Name)));
    }

    [Fact]
    public void Every_printer_names_its_first_or_name_column_with_format_name()
    {
        (string, string)[] kinds =
        [
            ("", "Pod"), ("", "Namespace"), ("", "Service"), ("", "Endpoints"), ("", "ConfigMap"), ("", "Secret"), ("", "ServiceAccount"),
            ("", "Node"), ("", "ResourceQuota"), ("", "Event"), ("events.k8s.io", "Event"), ("", "PersistentVolume"), ("", "PersistentVolumeClaim"),
            ("storage.k8s.io", "StorageClass"), ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"), ("apps", "DaemonSet"),
            ("apps", "ControllerRevision"), ("autoscaling", "HorizontalPodAutoscaler"), ("batch", "Job"), ("batch", "CronJob"),
            ("discovery.k8s.io", "EndpointSlice"), ("coordination.k8s.io", "Lease"), ("policy", "PodDisruptionBudget"),
            ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"), ("scheduling.k8s.io", "PriorityClass"),
        ];
        foreach (var (group, kind) in kinds)
        {
            var printer = TablePrinters.For(group, kind);
            Assert.NotSame(DefaultTablePrinter.Instance, printer);
            var named = printer.Columns.Where(c => c.Format == "name").ToList();
            Assert.Single(named);
            Assert.Equal("Name", named[0].Name);
            Assert.All(printer.Columns, c => Assert.False(string.IsNullOrEmpty(c.Description), $"{kind}.{c.Name} has no description"));
        }
    }

    [Fact]
    public void A_printer_rejects_objects_of_another_kind()
    {
        Assert.Throws<ArgumentException>(() => TablePrinters.For("", "Pod").Cells(new V1Service { Metadata = new V1ObjectMeta() }, Now));
    }
}
