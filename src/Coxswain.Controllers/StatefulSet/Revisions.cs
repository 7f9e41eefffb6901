using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.StatefulSet;

/// <summary>
/// A StatefulSet's ControllerRevisions (upstream controller/history and the revision half of stateful_set_utils):
/// each revision stores a strategic merge patch that puts back the pod template
/// (<c>{"spec":{"template":{..., "$patch":"replace"}}}</c>); kubectl's rollout history/undo read and apply exactly
/// that. A revision is named "&lt;set&gt;-&lt;hash&gt;", the hash covering the patch and the collision count.
/// </summary>
internal static class Revisions
{
    public const string HashLabel = "controller.kubernetes.io/hash";

    /// <summary>The patch that restores <paramref name="set"/>'s pod template (upstream getPatch).</summary>
    public static JsonObject Patch(V1StatefulSet set)
    {
        var template = JsonNode.Parse(KubernetesJson.Serialize(set.Spec.Template))!.AsObject();
        template["$patch"] = "replace";
        return new JsonObject { ["spec"] = new JsonObject { ["template"] = template } };
    }

    public static string Hash(JsonNode data, int? collisionCount)
    {
        var hash = TemplateHash.Fnv1a(Encoding.UTF8.GetBytes(data.ToJsonString()));
        if (collisionCount is int c)
        {
            hash = TemplateHash.Fnv1a(Encoding.UTF8.GetBytes(c.ToString(CultureInfo.InvariantCulture)), hash);
        }
        return TemplateHash.SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    public static string Name(string prefix, string hash) => $"{(prefix.Length > 223 ? prefix[..223] : prefix)}-{hash}";

    /// <summary>A revision of <paramref name="set"/>'s current template, numbered <paramref name="revision"/> (upstream newRevision).</summary>
    public static V1ControllerRevision New(V1StatefulSet set, long revision, int? collisionCount)
    {
        var data = Patch(set);
        var hash = Hash(data, collisionCount);
        var labels = set.Spec.Template.Metadata?.Labels == null ? new Dictionary<string, string>() : new Dictionary<string, string>(set.Spec.Template.Metadata.Labels);
        labels[HashLabel] = hash;
        return new V1ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new V1ObjectMeta
            {
                Name = Name(set.Metadata.Name, hash),
                NamespaceProperty = set.Metadata.NamespaceProperty,
                Labels = labels,
                Annotations = set.Metadata.Annotations == null ? null : new Dictionary<string, string>(set.Metadata.Annotations),
                OwnerReferences = [OwnerRefs.NewControllerRef(set, "apps/v1", "StatefulSet")],
            },
            Data = JsonDocument.Parse(data.ToJsonString()).RootElement.Clone(),
            Revision = revision,
        };
    }

    public static JsonNode? DataOf(V1ControllerRevision revision) =>
        revision.Data == null ? null : JsonNode.Parse(revision.Data is JsonElement e ? e.GetRawText() : KubernetesJson.Serialize(revision.Data));

    /// <summary>Same stored state (upstream EqualRevision compares the data; key order does not matter here).</summary>
    public static bool Equal(V1ControllerRevision a, V1ControllerRevision b) => JsonNode.DeepEquals(DataOf(a), DataOf(b));

    /// <summary>
    /// <paramref name="set"/> with the pod template stored in <paramref name="revision"/> (upstream ApplyRevision; the
    /// stored patch only replaces spec.template).
    /// </summary>
    public static V1StatefulSet Apply(V1StatefulSet set, V1ControllerRevision revision)
    {
        var clone = StatefulSetUtils.Clone(set);
        if (DataOf(revision)?["spec"]?["template"] is JsonObject template)
        {
            var copy = template.DeepClone().AsObject();
            copy.Remove("$patch");
            clone.Spec.Template = KubernetesJson.Deserialize<V1PodTemplateSpec>(copy.ToJsonString());
        }
        return clone;
    }

    /// <summary>Oldest first: by revision number, then creation time, then name (upstream SortControllerRevisions).</summary>
    public static void Sort(List<V1ControllerRevision> revisions) => revisions.Sort((a, b) =>
    {
        var c = (a.Revision ?? 0).CompareTo(b.Revision ?? 0);
        if (c != 0)
        {
            return c;
        }
        c = Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
        return c != 0 ? c : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name);
    });

    public static long Next(List<V1ControllerRevision> sorted) => sorted.Count == 0 ? 1 : (sorted[^1].Revision ?? 0) + 1;
}
