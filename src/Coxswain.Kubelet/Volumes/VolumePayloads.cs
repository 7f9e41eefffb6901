using System.Text;
using Coxswain.Kubelet.Env;
using k8s.Models;

namespace Coxswain.Kubelet.Volumes;

/// <summary>
/// The files of configMap, secret and downwardAPI sources (upstream's MakePayload and collectData): every key as a
/// file, or only the listed items at their paths; modes from the item, else defaultMode (0644). A listed key that is
/// missing fails unless the source is optional.
/// </summary>
internal static class VolumePayloads
{
    public const int DefaultMode = 420; // 0644

    public static Dictionary<string, FileProjection> ConfigMap(V1ConfigMap configMap, IList<V1KeyToPath>? items, int? defaultMode, bool optional)
    {
        var data = (configMap.Data ?? new Dictionary<string, string>()).Select(e => KeyValuePair.Create(e.Key, Encoding.UTF8.GetBytes(e.Value)))
            .Concat(configMap.BinaryData ?? new Dictionary<string, byte[]>())
            .GroupBy(e => e.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        return Make(data, items, defaultMode ?? DefaultMode, optional, key => $"configmap references non-existent config key: {key}");
    }

    public static Dictionary<string, FileProjection> Secret(V1Secret secret, IList<V1KeyToPath>? items, int? defaultMode, bool optional) =>
        Make(new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal), items,
            defaultMode ?? DefaultMode, optional, key => $"secret references non-existent secret key: {key}");

    /// <summary>
    /// downwardAPI items: metadata fieldRefs (labels and annotations as <c>key="value"</c> lines) and container
    /// resourceFieldRefs. Failing items are reported together, as upstream aggregates them.
    /// </summary>
    public static Dictionary<string, FileProjection> DownwardApi(V1Pod pod, IList<V1DownwardAPIVolumeFile>? items, int? defaultMode, IReadOnlyDictionary<string, ResourceQuantity> nodeAllocatable)
    {
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var item in items ?? [])
        {
            var mode = item.Mode ?? defaultMode ?? DefaultMode;
            try
            {
                string value;
                if (item.FieldRef is { } fieldRef)
                {
                    value = PodFieldPaths.Extract(pod, fieldRef.FieldPath);
                }
                else if (item.ResourceFieldRef is { } resourceRef)
                {
                    var container = pod.Spec.Containers.Concat(pod.Spec.InitContainers ?? []).FirstOrDefault(c => c.Name == resourceRef.ContainerName)
                        ?? throw new ContainerConfigException($"container {resourceRef.ContainerName} not found");
                    value = ContainerResources.Value(resourceRef, container, nodeAllocatable);
                }
                else
                {
                    value = "";
                }
                payload[Path.TrimEndingDirectorySeparator(item.Path)] = new FileProjection(Encoding.UTF8.GetBytes(value), mode);
            }
            catch (ContainerConfigException e)
            {
                errors.Add(e.Message);
            }
        }
        if (errors.Count > 0)
        {
            throw new VolumeSetupException(Aggregate(errors));
        }
        return payload;
    }

    /// <summary>Upstream's aggregate error text: one message as is, several as "[a, b]".</summary>
    public static string Aggregate(IReadOnlyList<string> errors) => errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";

    private static Dictionary<string, FileProjection> Make(Dictionary<string, byte[]> data, IList<V1KeyToPath>? items, int defaultMode, bool optional, Func<string, string> missingKey)
    {
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        if (items is null || items.Count == 0)
        {
            foreach (var (key, bytes) in data)
            {
                payload[key] = new FileProjection(bytes, defaultMode);
            }
            return payload;
        }
        foreach (var item in items)
        {
            if (!data.TryGetValue(item.Key, out var bytes))
            {
                if (optional)
                {
                    continue;
                }
                throw new VolumeSetupException(missingKey(item.Key));
            }
            payload[item.Path] = new FileProjection(bytes, item.Mode ?? defaultMode);
        }
        return payload;
    }
}
