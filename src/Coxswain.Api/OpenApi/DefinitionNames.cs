using System.Reflection;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Coxswain.Api.OpenApi;

/// <summary>
/// Upstream's OpenAPI definition names for the KubernetesClient model types:
/// <c>V1PodSpec</c> is <c>io.k8s.api.core.v1.PodSpec</c>, <c>V1ObjectMeta</c> is
/// <c>io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta</c>, <c>Eventsv1Event</c> is
/// <c>io.k8s.api.events.v1.Event</c>.
/// </summary>
/// <remarks>
/// The CLR name carries the version (and, for names that collide, the group); the Go package of
/// the other types is worked out from the kinds that use them: every kind of the client library
/// is a root, core kinds first, and a nested type belongs to the package of the first root that
/// reaches it. The apimachinery types and the few core types only other groups use are listed.
/// </remarks>
internal static partial class DefinitionNames
{
    public const string Quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string IntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    public const string Time = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
    public const string MicroTime = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
    public const string FieldsV1 = "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1";
    public const string RawExtension = "io.k8s.apimachinery.pkg.runtime.RawExtension";
    public const string Patch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
    public const string MetaV1 = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    /// <summary>Types of k8s.io/apimachinery/pkg/apis/meta/v1 that the client names V1Xxx.</summary>
    private static readonly HashSet<string> MetaV1Types = new(StringComparer.Ordinal)
    {
        "APIGroup", "APIGroupList", "APIResource", "APIResourceList", "APIVersions", "Condition",
        "DeleteOptions", "FieldSelectorRequirement", "GroupVersionForDiscovery", "LabelSelector",
        "LabelSelectorRequirement", "ListMeta", "ManagedFieldsEntry", "ObjectMeta", "OwnerReference",
        "Patch", "Preconditions", "ServerAddressByClientCIDR", "Status", "StatusCause", "StatusDetails",
        "WatchEvent",
    };

    /// <summary>Core types that no core kind uses, so the walk from the roots cannot place them.</summary>
    private static readonly Dictionary<string, string> PackageOverrides = new(StringComparer.Ordinal)
    {
        ["V1TopologySelectorTerm"] = "core",
        ["V1TopologySelectorLabelRequirement"] = "core",
    };

    private static readonly Lazy<Dictionary<Type, string>> PackageOf = new(BuildPackages);

    /// <summary>The definition name of a model type.</summary>
    public static string For(Type modelType)
    {
        var (prefix, version, shortName) = Split(modelType.Name);
        if (prefix != null)
        {
            return Qualified(prefix.ToLowerInvariant(), version, shortName);
        }
        if (version.Length > 0 && MetaV1Types.Contains(shortName))
        {
            return $"io.k8s.apimachinery.pkg.apis.meta.{version}.{shortName}";
        }
        if (PackageOverrides.TryGetValue(modelType.Name, out var overridden))
        {
            return Qualified(overridden, version, shortName);
        }
        if (PackageOf.Value.TryGetValue(modelType, out var package) && version.Length > 0)
        {
            return Qualified(package, version, shortName);
        }
        // Types of the metrics API (PodMetrics, ...) carry no version in their CLR name.
        return "io.k8s.metrics.pkg.apis.metrics.v1beta1." + modelType.Name;
    }

    /// <summary>The Go package name of an API group: "" is core, "rbac.authorization.k8s.io" is rbac.</summary>
    public static string PackageOfGroup(string group) => group switch
    {
        "" => "core",
        "internal.apiserver.k8s.io" => "apiserverinternal",
        _ => group.Split('.')[0],
    };

    private static string Qualified(string package, string version, string shortName) => package switch
    {
        "apiextensions" => $"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{version}.{shortName}",
        "apiregistration" => $"io.k8s.kube-aggregator.pkg.apis.apiregistration.{version}.{shortName}",
        "meta" => $"io.k8s.apimachinery.pkg.apis.meta.{version}.{shortName}",
        _ => $"io.k8s.api.{package}.{version}.{shortName}",
    };

    /// <summary>
    /// "V1PodSpec" → (null, "v1", "PodSpec"); "V2beta2MetricSpec" → (null, "v2beta2", "MetricSpec");
    /// "Corev1EventSeries" → ("Core", "v1", "EventSeries"); "PodMetrics" → (null, "", "PodMetrics").
    /// </summary>
    internal static (string? GroupPrefix, string Version, string Name) Split(string clrName)
    {
        var m = VersionedName().Match(clrName);
        if (m.Success)
        {
            return (null, "v" + m.Groups[1].Value, m.Groups[2].Value);
        }
        m = GroupVersionedName().Match(clrName);
        if (m.Success)
        {
            return (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
        }
        return (null, "", clrName);
    }

    [GeneratedRegex("^V(\\d+(?:alpha\\d+|beta\\d+)?)([A-Z].*)$")]
    private static partial Regex VersionedName();

    [GeneratedRegex("^([A-Z][a-z]+)(v\\d+(?:alpha\\d+|beta\\d+)?)([A-Z].*)$")]
    private static partial Regex GroupVersionedName();

    /// <summary>
    /// Walks from every kind of the client library, core kinds first, through the types of the
    /// kind's own version: each takes the package of the first kind that reaches it. A type of
    /// another version met on the way (batch/v1 Job uses scheduling's v1alpha3 types) keeps the
    /// walker's package only if no kind of its own version reaches it.
    /// </summary>
    private static Dictionary<Type, string> BuildPackages()
    {
        var roots = typeof(V1Pod).Assembly.GetTypes()
            .Where(t => t.Namespace == "k8s.Models")
            .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
            .Where(r => r.Entity != null)
            .OrderBy(r => r.Entity!.Group.Length == 0 ? 0 : 1)
            .ThenBy(r => r.Entity!.Group, StringComparer.Ordinal)
            .ThenBy(r => r.Type.Name, StringComparer.Ordinal)
            .ToList();
        var walker = new PackageWalker();
        foreach (var (root, entity) in roots)
        {
            walker.Walk(root, PackageOfGroup(entity!.Group));
        }
        foreach (var (t, package) in walker.Strays())
        {
            walker.Walk(t, StrayPackage(t, roots.Select(r => (r.Type, r.Entity!)), package));
        }
        return walker.Packages;
    }

    /// <summary>
    /// A type only another version's kinds use (batch/v1 JobSpec uses WorkloadPodGroupSchedulingPolicy
    /// of scheduling v1alpha3): the group with a kind of the type's version whose name starts the
    /// type's name (Workload), else the group of the kind that met it.
    /// </summary>
    private static string StrayPackage(Type stray, IEnumerable<(Type Type, KubernetesEntityAttribute Entity)> roots, string walkerPackage)
    {
        var (_, version, name) = Split(stray.Name);
        var best = roots
            .Where(r => r.Entity.ApiVersion == version && name.StartsWith(r.Entity.Kind, StringComparison.Ordinal))
            .OrderByDescending(r => r.Entity.Kind.Length)
            .Select(r => PackageOfGroup(r.Entity.Group))
            .FirstOrDefault();
        return best ?? walkerPackage;
    }

    private sealed class PackageWalker
    {
        private readonly Dictionary<Type, Type[]> _children = [];
        private readonly Dictionary<Type, string> _strays = [];
        private readonly Queue<Type> _queue = new();

        public Dictionary<Type, string> Packages { get; } = [];

        public void Walk(Type start, string package)
        {
            if (!Packages.TryAdd(start, package))
            {
                return;
            }
            var version = Split(start.Name).Version;
            _queue.Enqueue(start);
            while (_queue.Count > 0)
            {
                foreach (var child in Children(_queue.Dequeue()))
                {
                    if (Packages.ContainsKey(child))
                    {
                        continue;
                    }
                    if (Split(child.Name).Version == version)
                    {
                        Packages[child] = package;
                        _queue.Enqueue(child);
                    }
                    else
                    {
                        _strays.TryAdd(child, package);
                    }
                }
            }
        }

        /// <summary>Types met only across a version boundary, with the package of the first walker.</summary>
        public List<KeyValuePair<Type, string>> Strays() => _strays.Where(s => !Packages.ContainsKey(s.Key)).ToList();

        private Type[] Children(Type t)
        {
            if (!_children.TryGetValue(t, out var nested))
            {
                nested = t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Select(p => ModelTypeOf(p.PropertyType))
                    .OfType<Type>()
                    .Distinct()
                    .ToArray();
                _children[t] = nested;
            }
            return nested;
        }
    }

    /// <summary>The model class inside a property type (unwrapping lists and dictionaries), or null.</summary>
    private static Type? ModelTypeOf(Type t)
    {
        while (true)
        {
            if (t.IsGenericType)
            {
                var args = t.GetGenericArguments();
                t = args[^1];
                continue;
            }
            if (t.IsArray)
            {
                t = t.GetElementType()!;
                continue;
            }
            return t.IsClass && t.Namespace == "k8s.Models" && t != typeof(IntOrString) && t != typeof(ResourceQuantity) ? t : null;
        }
    }
}
