using System.Reflection;
using k8s;
using k8s.Models;

namespace Coxswain.Client;

/// <summary>
/// Where a resource lives in the API: group, version, plural and scope. That is all a list/watch needs, so one
/// small descriptor serves every type instead of one hand-written client per kind.
/// </summary>
/// <typeparam name="T">The k8s.Models type of one object (e.g. <see cref="V1Pod"/>).</typeparam>
public sealed record ResourceType<T>(string Group, string Version, string Plural, bool Namespaced)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>"v1" for the core group, "group/version" otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>
    /// The collection path, e.g. <c>api/v1/pods</c> or <c>apis/coordination.k8s.io/v1/namespaces/ns/leases</c>.
    /// A null <paramref name="ns"/> on a namespaced type means all namespaces.
    /// </summary>
    public string CollectionPath(string? ns)
    {
        var prefix = Group.Length == 0 ? $"api/{Version}" : $"apis/{Group}/{Version}";
        return Namespaced && ns != null ? $"{prefix}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}" : $"{prefix}/{Plural}";
    }

    /// <summary>
    /// The descriptor from the model's <see cref="KubernetesEntityAttribute"/>; the scope is not in the attribute,
    /// so the caller states it.
    /// </summary>
    public static ResourceType<T> FromEntity(bool namespaced)
    {
        var attr = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{typeof(T).Name} has no [KubernetesEntity] attribute");
        return new ResourceType<T>(attr.Group ?? "", attr.ApiVersion, attr.PluralName, namespaced);
    }
}

/// <summary>Descriptors of the built-in types the scheduler, controllers and node agents watch.</summary>
public static class ResourceTypes
{
    public static readonly ResourceType<V1Pod> Pods = new("", "v1", "pods", true);
    public static readonly ResourceType<V1Node> Nodes = new("", "v1", "nodes", false);
    public static readonly ResourceType<V1Namespace> Namespaces = new("", "v1", "namespaces", false);
    public static readonly ResourceType<V1Service> Services = new("", "v1", "services", true);
    public static readonly ResourceType<V1Endpoints> Endpoints = new("", "v1", "endpoints", true);
    public static readonly ResourceType<V1ConfigMap> ConfigMaps = new("", "v1", "configmaps", true);
    public static readonly ResourceType<V1Secret> Secrets = new("", "v1", "secrets", true);
    public static readonly ResourceType<Corev1Event> Events = new("", "v1", "events", true);
    public static readonly ResourceType<V1PersistentVolume> PersistentVolumes = new("", "v1", "persistentvolumes", false);
    public static readonly ResourceType<V1PersistentVolumeClaim> PersistentVolumeClaims = new("", "v1", "persistentvolumeclaims", true);
    public static readonly ResourceType<V1ServiceAccount> ServiceAccounts = new("", "v1", "serviceaccounts", true);
    public static readonly ResourceType<V1ReplicaSet> ReplicaSets = new("apps", "v1", "replicasets", true);
    public static readonly ResourceType<V1Deployment> Deployments = new("apps", "v1", "deployments", true);
    public static readonly ResourceType<V1DaemonSet> DaemonSets = new("apps", "v1", "daemonsets", true);
    public static readonly ResourceType<V1StatefulSet> StatefulSets = new("apps", "v1", "statefulsets", true);
    public static readonly ResourceType<V1Job> Jobs = new("batch", "v1", "jobs", true);
    public static readonly ResourceType<V1CronJob> CronJobs = new("batch", "v1", "cronjobs", true);
    public static readonly ResourceType<V1ControllerRevision> ControllerRevisions = new("apps", "v1", "controllerrevisions", true);
    public static readonly ResourceType<V1Lease> Leases = new("coordination.k8s.io", "v1", "leases", true);
    public static readonly ResourceType<V1EndpointSlice> EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices", true);
}
