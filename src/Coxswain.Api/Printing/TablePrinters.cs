using System.Globalization;
using k8s;
using k8s.Models;

namespace Coxswain.Api.Printing;

/// <summary>The registry of table printers, looked up by group and kind.</summary>
public static class TablePrinters
{
    private static readonly Dictionary<(string Group, string Kind), ITablePrinter> Printers = Build();

    /// <summary>The kind's printer; kinds without one (Role, LimitRange, ...) get <see cref="DefaultTablePrinter"/>.</summary>
    public static ITablePrinter For(string group, string kind) =>
        Printers.GetValueOrDefault((group, kind)) ?? DefaultTablePrinter.Instance;

    private static Dictionary<(string, string), ITablePrinter> Build()
    {
        var events = EventPrinter.Create();
        var hpa = AutoscalingPrinters.HorizontalPodAutoscaler();
        return new()
        {
            [("", "Pod")] = PodPrinter.Create(),
            [("", "Namespace")] = CorePrinters.Namespace(),
            [("", "Service")] = CorePrinters.Service(),
            [("", "Endpoints")] = CorePrinters.Endpoints(),
            [("", "ConfigMap")] = CorePrinters.ConfigMap(),
            [("", "Secret")] = CorePrinters.Secret(),
            [("", "ServiceAccount")] = CorePrinters.ServiceAccount(),
            [("", "Node")] = CorePrinters.Node(),
            [("", "ResourceQuota")] = CorePrinters.ResourceQuota(),
            [("", "Event")] = events,
            [("events.k8s.io", "Event")] = events,
            [("", "PersistentVolume")] = StoragePrinters.PersistentVolume(),
            [("", "PersistentVolumeClaim")] = StoragePrinters.PersistentVolumeClaim(),
            [("storage.k8s.io", "StorageClass")] = StoragePrinters.StorageClass(),
            [("apps", "Deployment")] = AppsPrinters.Deployment(),
            [("apps", "ReplicaSet")] = AppsPrinters.ReplicaSet(),
            [("apps", "StatefulSet")] = AppsPrinters.StatefulSet(),
            [("apps", "DaemonSet")] = AppsPrinters.DaemonSet(),
            [("apps", "ControllerRevision")] = AppsPrinters.ControllerRevision(),
            [("autoscaling", "HorizontalPodAutoscaler")] = hpa,
            [("batch", "Job")] = BatchPrinters.Job(),
            [("batch", "CronJob")] = BatchPrinters.CronJob(),
            [("discovery.k8s.io", "EndpointSlice")] = DiscoveryPrinters.EndpointSlice(),
            [("coordination.k8s.io", "Lease")] = CoordinationPrinters.Lease(),
            [("policy", "PodDisruptionBudget")] = PolicyPrinters.PodDisruptionBudget(),
            [("rbac.authorization.k8s.io", "RoleBinding")] = RbacPrinters.RoleBinding(),
            [("rbac.authorization.k8s.io", "ClusterRoleBinding")] = RbacPrinters.ClusterRoleBinding(),
            [("scheduling.k8s.io", "PriorityClass")] = SchedulingPrinters.PriorityClass(),
        };
    }
}

/// <summary>Upstream's default convertor: Name and Created At (RFC 3339, UTC).</summary>
public sealed class DefaultTablePrinter : ITablePrinter
{
    public static readonly DefaultTablePrinter Instance = new();

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Name", "string", ColumnDescriptions.Name, 0, "name"),
        new("Created At", "date", ColumnDescriptions.CreationTimestamp),
    ];

    public IReadOnlyList<object?> Cells(object obj, DateTime now)
    {
        var meta = ((IMetadata<V1ObjectMeta>)obj).Metadata;
        // A missing timestamp prints as Go's zero time.
        var created = meta?.CreationTimestamp is { } t ? HumanDuration.Utc(t) : DateTime.MinValue;
        return [meta?.Name ?? "", created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)];
    }
}
