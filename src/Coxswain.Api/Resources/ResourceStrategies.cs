using Coxswain.Api.Resources.Strategies;

namespace Coxswain.Api.Resources;

/// <summary>
/// The registry of per-kind strategies, looked up by group and kind. Kinds without special
/// rules (ServiceAccount, for example) get <see cref="NoStrategy"/>. Strategies may also implement
/// <see cref="IPrepareForCreate"/> and <see cref="IPrepareForUpdate"/>.
/// </summary>
public static class ResourceStrategies
{
    private static readonly Dictionary<(string Group, string Kind), IResourceStrategy> Strategies = new()
    {
        [("", "Pod")] = new PodStrategy(),
        [("", "Service")] = new ServiceStrategy(),
        [("", "Endpoints")] = new EndpointsStrategy(),
        [("", "Namespace")] = new NamespaceStrategy(),
        [("", "Secret")] = new SecretStrategy(),
        [("", "ConfigMap")] = new ConfigMapStrategy(),
        [("", "Event")] = new CoreEventStrategy(),
        [("", "Node")] = new NodeStrategy(),
        [("", "PersistentVolume")] = new PersistentVolumeStrategy(),
        [("", "PersistentVolumeClaim")] = new PersistentVolumeClaimStrategy(),
        [("", "LimitRange")] = new LimitRangeStrategy(),
        [("", "ResourceQuota")] = new ResourceQuotaStrategy(),
        [("apps", "Deployment")] = new DeploymentStrategy(),
        [("apps", "ReplicaSet")] = new ReplicaSetStrategy(),
        [("apps", "StatefulSet")] = new StatefulSetStrategy(),
        [("apps", "DaemonSet")] = new DaemonSetStrategy(),
        [("apps", "ControllerRevision")] = new ControllerRevisionStrategy(),
        [("autoscaling", "HorizontalPodAutoscaler")] = new HorizontalPodAutoscalerStrategy(),
        [("batch", "Job")] = new JobStrategy(),
        [("batch", "CronJob")] = new CronJobStrategy(),
        [("storage.k8s.io", "StorageClass")] = new StorageClassStrategy(),
        [("discovery.k8s.io", "EndpointSlice")] = new EndpointSliceStrategy(),
        [("coordination.k8s.io", "Lease")] = new LeaseStrategy(),
        [("events.k8s.io", "Event")] = new EventsV1EventStrategy(),
        [("policy", "PodDisruptionBudget")] = new PodDisruptionBudgetStrategy(),
        [("rbac.authorization.k8s.io", "Role")] = new RoleStrategy(),
        [("rbac.authorization.k8s.io", "ClusterRole")] = new ClusterRoleStrategy(),
        [("rbac.authorization.k8s.io", "RoleBinding")] = new RoleBindingStrategy(),
        [("rbac.authorization.k8s.io", "ClusterRoleBinding")] = new ClusterRoleBindingStrategy(),
        [("scheduling.k8s.io", "PriorityClass")] = new PriorityClassStrategy(),
    };

    public static IResourceStrategy For(string group, string kind) =>
        Strategies.TryGetValue((group, kind), out var s) ? s : NoStrategy.Instance;
}
