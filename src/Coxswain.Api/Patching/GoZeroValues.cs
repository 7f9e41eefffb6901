using System.Text.Json.Nodes;
using Coxswain.Api.Schema;

namespace Coxswain.Api.Patching;

/// <summary>
/// The "old object" of a create as upstream's field manager sees it: the Go zero value of the kind,
/// converted to unstructured. Non-pointer structs appear as <c>{}</c> and required slices and pointers
/// as <c>null</c>; fields that are absent there but set by the create are recorded with their own
/// <c>"."</c> entry, fields present there are not. Only object, list and map fields matter here
/// (scalars are owned either way), so only those are listed.
/// </summary>
internal static class GoZeroValues
{
    private const string PodTemplate = """{"metadata":{},"spec":{"containers":null}}""";

    /// <summary>Go zero values by model; <c>@T</c> stands for a PodTemplateSpec.</summary>
    private static readonly Dictionary<string, string> ByModel = new(StringComparer.Ordinal)
    {
        ["V1Pod"] = """{"spec":{"containers":null},"status":{}}""",
        ["V1PodTemplate"] = """{"template":@T}""",
        ["V1Deployment"] = """{"spec":{"selector":null,"template":@T,"strategy":{}},"status":{}}""",
        ["V1ReplicaSet"] = """{"spec":{"selector":null,"template":@T},"status":{}}""",
        ["V1StatefulSet"] = """{"spec":{"selector":null,"template":@T,"updateStrategy":{}},"status":{}}""",
        ["V1DaemonSet"] = """{"spec":{"selector":null,"template":@T,"updateStrategy":{}},"status":{}}""",
        ["V1Job"] = """{"spec":{"template":@T},"status":{}}""",
        ["V1CronJob"] = """{"spec":{"jobTemplate":{"metadata":{},"spec":{"template":@T}}},"status":{}}""",
        ["V1ReplicationController"] = """{"spec":{},"status":{}}""",
        ["V1Service"] = """{"spec":{},"status":{"loadBalancer":{}}}""",
        ["V1Namespace"] = """{"spec":{},"status":{}}""",
        ["V1Node"] = """{"spec":{},"status":{"daemonEndpoints":{"kubeletEndpoint":{}},"nodeInfo":{}}}""",
        ["V1PersistentVolume"] = """{"spec":{},"status":{}}""",
        ["V1PersistentVolumeClaim"] = """{"spec":{"resources":{}},"status":{}}""",
        ["V1LimitRange"] = """{"spec":{"limits":null}}""",
        ["V1ResourceQuota"] = """{"spec":{},"status":{}}""",
        ["V1HorizontalPodAutoscaler"] = """{"spec":{"scaleTargetRef":{}},"status":{}}""",
        ["V2HorizontalPodAutoscaler"] = """{"spec":{"scaleTargetRef":{}},"status":{}}""",
        ["V1PodDisruptionBudget"] = """{"spec":{},"status":{}}""",
        ["V1Role"] = """{"rules":null}""",
        ["V1ClusterRole"] = """{"rules":null}""",
        ["V1RoleBinding"] = """{"roleRef":{}}""",
        ["V1ClusterRoleBinding"] = """{"roleRef":{}}""",
        ["V1EndpointSlice"] = """{"endpoints":null}""",
        ["V1Lease"] = """{"spec":{}}""",
        ["Corev1Event"] = """{"involvedObject":{},"source":{}}""",
        ["Eventsv1Event"] = """{"regarding":{},"deprecatedSource":{}}""",
        ["V1ControllerRevision"] = """{"data":null}""",
    };

    /// <summary>The zero value of an object of <paramref name="schema"/>: metadata plus the kind's table row.</summary>
    public static JsonObject For(TypeSchema schema)
    {
        var zero = schema.ModelName != null && ByModel.TryGetValue(schema.ModelName, out var json)
            ? (JsonObject)JsonNode.Parse(json.Replace("@T", PodTemplate, StringComparison.Ordinal))!
            : new JsonObject();
        if (schema.Property("metadata") != null)
        {
            zero["metadata"] = new JsonObject { ["creationTimestamp"] = null };
        }
        return zero;
    }

    /// <summary>
    /// The object as upstream's typed object would have it: fields of the zero value that the
    /// object lacks are filled in (recursively where both have an object). A copy.
    /// </summary>
    public static JsonObject Overlay(JsonNode obj, JsonObject zero)
    {
        var copy = (JsonObject)obj.DeepClone();
        Fill(copy, zero);
        return copy;
    }

    /// <summary>Fills in, in place, the fields of the zero value that <paramref name="obj"/> lacks.</summary>
    public static void Fill(JsonObject obj, JsonObject zero)
    {
        foreach (var (key, value) in zero)
        {
            if (!obj.TryGetPropertyValue(key, out var existing))
            {
                obj[key] = value?.DeepClone();
            }
            else if (existing is JsonObject inner && value is JsonObject innerZero)
            {
                Fill(inner, innerZero);
            }
        }
    }

    /// <summary>
    /// Removes from <paramref name="result"/> what <see cref="Overlay"/> added: members absent from
    /// <paramref name="original"/> that still hold nothing but their zero value.
    /// </summary>
    public static void Trim(JsonObject result, JsonObject zero, JsonObject? original)
    {
        foreach (var (key, value) in zero)
        {
            if (!result.TryGetPropertyValue(key, out var current))
            {
                continue;
            }
            var had = original != null && original.ContainsKey(key);
            if (current is JsonObject inner && value is JsonObject innerZero)
            {
                Trim(inner, innerZero, original?[key] as JsonObject);
                if (!had && inner.Count == 0)
                {
                    result.Remove(key);
                }
            }
            else if (!had && JsonValues.ValueEquals(current, value))
            {
                result.Remove(key);
            }
        }
    }
}
