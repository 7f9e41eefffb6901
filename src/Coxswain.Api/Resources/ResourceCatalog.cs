using Coxswain.Api.Printing;
using k8s.Models;

namespace Coxswain.Api.Resources;

/// <summary>
/// Every resource the API server serves. Groups and versions are listed in discovery in the
/// order they are added here; within a group the first version added is the preferred one.
/// </summary>
public sealed class ResourceCatalog
{
    private readonly List<ResourceDefinition> _all = [];
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceDefinition> _byPlural = [];
    private readonly Dictionary<(string ApiVersion, string Kind), ResourceDefinition> _byKind = [];

    public static ResourceCatalog Default { get; } = BuiltIn.Create();

    public IReadOnlyList<ResourceDefinition> All => _all;

    public void Add(ResourceDefinition def)
    {
        _all.Add(def);
        _byPlural[(def.Group, def.Version, def.Plural)] = def;
        _byKind[(def.ApiVersion, def.Kind)] = def;
    }

    public ResourceDefinition? Find(string group, string version, string plural) =>
        _byPlural.GetValueOrDefault((group, version, plural));

    public ResourceDefinition? FindByKind(string apiVersion, string kind) =>
        _byKind.GetValueOrDefault((apiVersion, kind));

    /// <summary>Group names in discovery order ("" = the legacy core group).</summary>
    public IEnumerable<string> Groups => _all.Select(d => d.Group).Distinct();

    /// <summary>Versions of a group, preferred first.</summary>
    public IEnumerable<string> Versions(string group) => _all.Where(d => d.Group == group).Select(d => d.Version).Distinct();

    public IEnumerable<ResourceDefinition> InGroupVersion(string group, string version) =>
        _all.Where(d => d.Group == group && d.Version == version);

    /// <summary>The table printer for a definition's kind.</summary>
    public static ITablePrinter PrinterFor(ResourceDefinition def) => TablePrinters.For(def.Group, def.Kind);

    /// <summary>The strategy for a definition's kind.</summary>
    public static IResourceStrategy StrategyFor(ResourceDefinition def) => ResourceStrategies.For(def.Group, def.Kind);

    /// <summary>The built-in kinds of Kubernetes that Coxswain serves.</summary>
    private static class BuiltIn
    {
        private static readonly string[] All = ["all"];

        public static ResourceCatalog Create()
        {
            var c = new ResourceCatalog();

            // core/v1
            c.Add(Def<V1Namespace, V1NamespaceList>("", "v1", "namespaces", cluster: true, shortNames: ["ns"], subresources: ["status", "finalize"], nameRule: NameRule.Label));
            c.Add(Def<V1Pod, V1PodList>("", "v1", "pods", shortNames: ["po"], categories: All, subresources: ["status", "binding", "eviction", "log", "exec", "attach", "portforward"]));
            c.Add(Def<V1Service, V1ServiceList>("", "v1", "services", shortNames: ["svc"], categories: All, subresources: ["status"], nameRule: NameRule.Rfc1035Label));
            c.Add(Def<V1Endpoints, V1EndpointsList>("", "v1", "endpoints", shortNames: ["ep"]));
            c.Add(Def<V1ConfigMap, V1ConfigMapList>("", "v1", "configmaps", shortNames: ["cm"]));
            c.Add(Def<V1Secret, V1SecretList>("", "v1", "secrets"));
            c.Add(Def<Corev1Event, Corev1EventList>("", "v1", "events", shortNames: ["ev"]));
            c.Add(Def<V1Node, V1NodeList>("", "v1", "nodes", cluster: true, shortNames: ["no"], subresources: ["status"]));
            c.Add(Def<V1PersistentVolume, V1PersistentVolumeList>("", "v1", "persistentvolumes", cluster: true, shortNames: ["pv"], subresources: ["status"]));
            c.Add(Def<V1PersistentVolumeClaim, V1PersistentVolumeClaimList>("", "v1", "persistentvolumeclaims", shortNames: ["pvc"], subresources: ["status"]));
            c.Add(Def<V1ServiceAccount, V1ServiceAccountList>("", "v1", "serviceaccounts", shortNames: ["sa"]));
            c.Add(Def<V1LimitRange, V1LimitRangeList>("", "v1", "limitranges", shortNames: ["limits"]));
            c.Add(Def<V1ResourceQuota, V1ResourceQuotaList>("", "v1", "resourcequotas", shortNames: ["quota"], subresources: ["status"]));

            // apps/v1
            c.Add(Def<V1Deployment, V1DeploymentList>("apps", "v1", "deployments", shortNames: ["deploy"], categories: All, subresources: ["status", "scale"], generation: true));
            c.Add(Def<V1ReplicaSet, V1ReplicaSetList>("apps", "v1", "replicasets", shortNames: ["rs"], categories: All, subresources: ["status", "scale"], generation: true));
            c.Add(Def<V1StatefulSet, V1StatefulSetList>("apps", "v1", "statefulsets", shortNames: ["sts"], categories: All, subresources: ["status", "scale"], generation: true));
            c.Add(Def<V1DaemonSet, V1DaemonSetList>("apps", "v1", "daemonsets", shortNames: ["ds"], categories: All, subresources: ["status"], generation: true));
            c.Add(Def<V1ControllerRevision, V1ControllerRevisionList>("apps", "v1", "controllerrevisions"));

            // autoscaling: v2 is stored; v1 is converted to and from it.
            var hpaV2 = Def<V2HorizontalPodAutoscaler, V2HorizontalPodAutoscalerList>("autoscaling", "v2", "horizontalpodautoscalers", shortNames: ["hpa"], categories: All, subresources: ["status"], generation: true);
            c.Add(hpaV2);
            c.Add(Def<V1HorizontalPodAutoscaler, V1HorizontalPodAutoscalerList>("autoscaling", "v1", "horizontalpodautoscalers", shortNames: ["hpa"], categories: All, subresources: ["status"], generation: true,
                converter: Conversion.VersionConverters.HpaV1(hpaV2)));

            // batch/v1
            c.Add(Def<V1Job, V1JobList>("batch", "v1", "jobs", categories: All, subresources: ["status"], generation: true));
            c.Add(Def<V1CronJob, V1CronJobList>("batch", "v1", "cronjobs", shortNames: ["cj"], categories: All, subresources: ["status"], generation: true));

            c.Add(Def<V1StorageClass, V1StorageClassList>("storage.k8s.io", "v1", "storageclasses", cluster: true, shortNames: ["sc"]));
            c.Add(Def<V1EndpointSlice, V1EndpointSliceList>("discovery.k8s.io", "v1", "endpointslices"));
            c.Add(Def<V1Lease, V1LeaseList>("coordination.k8s.io", "v1", "leases"));
            c.Add(Def<Eventsv1Event, Eventsv1EventList>("events.k8s.io", "v1", "events", shortNames: ["ev"],
                converter: Conversion.VersionConverters.EventsV1(c.Find("", "v1", "events")!)));
            c.Add(Def<V1PodDisruptionBudget, V1PodDisruptionBudgetList>("policy", "v1", "poddisruptionbudgets", shortNames: ["pdb"], subresources: ["status"], generation: true));

            c.Add(Def<V1Role, V1RoleList>("rbac.authorization.k8s.io", "v1", "roles", nameRule: NameRule.PathSegment));
            c.Add(Def<V1RoleBinding, V1RoleBindingList>("rbac.authorization.k8s.io", "v1", "rolebindings", nameRule: NameRule.PathSegment));
            c.Add(Def<V1ClusterRole, V1ClusterRoleList>("rbac.authorization.k8s.io", "v1", "clusterroles", cluster: true, nameRule: NameRule.PathSegment));
            c.Add(Def<V1ClusterRoleBinding, V1ClusterRoleBindingList>("rbac.authorization.k8s.io", "v1", "clusterrolebindings", cluster: true, nameRule: NameRule.PathSegment));

            c.Add(Def<V1PriorityClass, V1PriorityClassList>("scheduling.k8s.io", "v1", "priorityclasses", cluster: true, shortNames: ["pc"]));
            return c;
        }

        private static ResourceDefinition Def<T, TList>(
            string group, string version, string plural,
            bool cluster = false,
            string[]? shortNames = null,
            string[]? categories = null,
            string[]? subresources = null,
            bool generation = false,
            NameRule nameRule = NameRule.Subdomain,
            IVersionConverter? converter = null)
        {
            var kind = typeof(T).GetCustomAttributes(typeof(KubernetesEntityAttribute), false).Cast<KubernetesEntityAttribute>().Single().Kind;
            return new ResourceDefinition
            {
                Group = group,
                Version = version,
                Kind = kind,
                Plural = plural,
                Namespaced = !cluster,
                ModelType = typeof(T),
                ListModelType = typeof(TList),
                ShortNames = shortNames ?? [],
                Categories = categories ?? [],
                Subresources = subresources ?? [],
                TracksGeneration = generation,
                NameRule = nameRule,
                Converter = converter,
                StorageResourceOverride = converter == null ? null : converter.StorageVersion.StorageResource,
            };
        }
    }
}
