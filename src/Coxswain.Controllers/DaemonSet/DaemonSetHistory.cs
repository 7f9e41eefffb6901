using System.Text.Json;
using System.Text.Json.Nodes;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.DaemonSet;

/// <summary>
/// A DaemonSet's history as ControllerRevisions (upstream pkg/controller/daemon/update.go): one revision per
/// distinct pod template, named "&lt;ds&gt;-&lt;hash&gt;", holding the strategic merge patch that restores the template
/// (what `kubectl rollout undo ds` applies). The current revision has the highest number; going back to an old
/// template renumbers its revision instead of creating a new one.
/// </summary>
public sealed partial class DaemonSetController
{
    /// <summary>
    /// The patch a revision stores (upstream getPatch, which kubectl's DaemonSet history also computes):
    /// {"spec":{"template":{..., "$patch":"replace"}}}, with keys sorted as Go's map encoding sorts them.
    /// </summary>
    public static string Patch(V1DaemonSet ds)
    {
        var template = JsonNode.Parse(KubernetesJson.Serialize(ds.Spec.Template))!.AsObject();
        // The fields Go's encoder writes even when empty (metav1.Time and struct values ignore omitempty), so that
        // the bytes equal kubectl's and `kubectl rollout undo` can tell a revision matches the current template.
        if (template["metadata"] is not JsonObject meta)
        {
            template["metadata"] = meta = [];
        }
        if (!meta.ContainsKey("creationTimestamp"))
        {
            meta["creationTimestamp"] = null;
        }
        if (template["spec"] is JsonObject spec)
        {
            foreach (var list in new[] { "containers", "initContainers", "ephemeralContainers" })
            {
                foreach (var container in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (!container.ContainsKey("resources"))
                    {
                        container["resources"] = new JsonObject();
                    }
                }
            }
        }
        template["$patch"] = "replace";
        return Canonical(new JsonObject { ["spec"] = new JsonObject { ["template"] = template } });
    }

    /// <summary>The revision's data in the canonical form <see cref="Patch"/> produces.</summary>
    public static string DataOf(V1ControllerRevision revision) =>
        revision.Data == null ? "" : Canonical(JsonNode.Parse(KubernetesJson.Serialize(revision.Data)));

    private static readonly JsonSerializerOptions GoLike = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Keys sorted and strings escaped as Go's json.Marshal of a map does (only &lt;, &gt; and &amp; beyond JSON's own).</summary>
    private static string Canonical(JsonNode? node) =>
        (Sorted(node)?.ToJsonString(GoLike) ?? "null").Replace("<", "\\u003c").Replace(">", "\\u003e").Replace("&", "\\u0026");

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    private static string RevisionHash(V1ControllerRevision r) =>
        r.Metadata.Labels?.TryGetValue(DaemonPods.RevisionHashLabel, out var h) == true ? h : "";

    /// <summary>
    /// Upstream constructHistory: claims the DaemonSet's revisions, finds (or creates) the one matching the current
    /// template and makes sure it has the highest revision number. Returns it and the others.
    /// </summary>
    private async Task<(V1ControllerRevision Current, List<V1ControllerRevision> Old)> ConstructHistoryAsync(V1DaemonSet ds, CancellationToken ct)
    {
        var patch = Patch(ds);
        var current = new List<V1ControllerRevision>();
        var old = new List<V1ControllerRevision>();
        foreach (var history in await ControlledHistoriesAsync(ds, ct))
        {
            var h = history;
            // Revisions made by old controllers may lack the hash label; it is what pods are matched by.
            if (RevisionHash(h).Length == 0)
            {
                var body = JsonSerializer.Serialize(new { metadata = new { labels = new Dictionary<string, string> { [DaemonPods.RevisionHashLabel] = h.Metadata.Name } } });
                h = await _client.AppsV1.PatchNamespacedControllerRevisionAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), h.Metadata.Name, h.Metadata.NamespaceProperty, cancellationToken: ct);
            }
            (DataOf(h) == patch ? current : old).Add(h);
        }
        var next = (old.Count == 0 ? 0 : old.Max(r => r.Revision) ?? 0) + 1;
        V1ControllerRevision cur;
        if (current.Count == 0)
        {
            cur = await SnapshotAsync(ds, next, patch, ct);
        }
        else
        {
            cur = await DedupAsync(ds, current, ct);
            if (cur.Revision < next)
            {
                var copy = KubernetesJson.Deserialize<V1ControllerRevision>(KubernetesJson.Serialize(cur));
                copy.Revision = next;
                cur = await _client.AppsV1.ReplaceNamespacedControllerRevisionAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
            }
        }
        return (cur, old);
    }

    private async Task<List<V1ControllerRevision>> ControlledHistoriesAsync(V1DaemonSet ds, CancellationToken ct)
    {
        var candidates = _revisions.Lister.List(ds.Metadata.NamespaceProperty, ds.Spec.Selector);
        var manager = new ControllerRefManager<V1ControllerRevision>(ds, ControllerRef(ds), ds.Spec.Selector,
            (ns, name, body, c) => _client.AppsV1.PatchNamespacedControllerRevisionAsync(new V1Patch(body, V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: c),
            c => CanAdoptAsync(ds, c));
        return await manager.ClaimAsync(candidates, ct);
    }

    /// <summary>Keeps the newest of several revisions with the current template; their pods take its hash.</summary>
    private async Task<V1ControllerRevision> DedupAsync(V1DaemonSet ds, List<V1ControllerRevision> current, CancellationToken ct)
    {
        if (current.Count == 1)
        {
            return current[0];
        }
        var keep = current.MaxBy(r => r.Revision)!;
        var keepHash = RevisionHash(keep);
        foreach (var dup in current.Where(r => !ReferenceEquals(r, keep)))
        {
            var dupHash = RevisionHash(dup);
            foreach (var pod in _pods.Lister.List(ds.Metadata.NamespaceProperty, ds.Spec.Selector))
            {
                if (pod.Metadata.Labels?.TryGetValue(DaemonPods.RevisionHashLabel, out var h) == true && h == dupHash)
                {
                    var body = JsonSerializer.Serialize(new { metadata = new { labels = new Dictionary<string, string> { [DaemonPods.RevisionHashLabel] = keepHash } } });
                    await _podControl.PatchAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, body, ct);
                }
            }
            await DeleteRevisionAsync(dup, ct);
        }
        return keep;
    }

    /// <summary>
    /// Creates the revision for the current template (upstream snapshot). A revision of that name with other data
    /// is a hash collision: status.collisionCount goes up and the sync is retried with the next hash.
    /// </summary>
    private async Task<V1ControllerRevision> SnapshotAsync(V1DaemonSet ds, long revision, string patch, CancellationToken ct)
    {
        var hash = TemplateHash.Compute(ds.Spec.Template, ds.Status?.CollisionCount);
        var labels = ds.Spec.Template.Metadata?.Labels == null ? new Dictionary<string, string>() : new Dictionary<string, string>(ds.Spec.Template.Metadata.Labels);
        labels[DaemonPods.RevisionHashLabel] = hash;
        var history = new V1ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new V1ObjectMeta
            {
                Name = ds.Metadata.Name + "-" + hash,
                NamespaceProperty = ds.Metadata.NamespaceProperty,
                Labels = labels,
                Annotations = ds.Metadata.Annotations == null ? null : new Dictionary<string, string>(ds.Metadata.Annotations),
                OwnerReferences = [ControllerRef(ds)],
            },
            Data = JsonDocument.Parse(patch).RootElement.Clone(),
            Revision = revision,
        };
        try
        {
            return await _client.AppsV1.CreateNamespacedControllerRevisionAsync(history, ds.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            var existing = await _client.AppsV1.ReadNamespacedControllerRevisionAsync(history.Metadata.Name, ds.Metadata.NamespaceProperty, cancellationToken: ct);
            if (OwnerRefs.IsControlledBy(existing.Metadata, ds.Metadata.Uid) && DataOf(existing) == patch)
            {
                return existing;
            }
            var fresh = await _client.AppsV1.ReadNamespacedDaemonSetAsync(ds.Metadata.Name, ds.Metadata.NamespaceProperty, cancellationToken: ct);
            if (fresh.Status?.CollisionCount != ds.Status?.CollisionCount)
            {
                throw new InvalidOperationException($"found a stale collision count ({fresh.Status?.CollisionCount}, expected {ds.Status?.CollisionCount}) of DaemonSet \"{ds.Metadata.Name}\" while processing; will retry until it is updated");
            }
            fresh.Status ??= new V1DaemonSetStatus();
            fresh.Status.CollisionCount = (fresh.Status.CollisionCount ?? 0) + 1;
            await _client.AppsV1.ReplaceNamespacedDaemonSetStatusAsync(fresh, ds.Metadata.Name, ds.Metadata.NamespaceProperty, cancellationToken: ct);
            throw new InvalidOperationException($"found a hash collision for DaemonSet \"{ds.Metadata.Name}\" - bumping collisionCount to {fresh.Status.CollisionCount} to resolve it");
        }
    }

    /// <summary>
    /// Upstream cleanupHistory: beyond revisionHistoryLimit, deletes the oldest revisions no pod (even a terminating
    /// one) still runs.
    /// </summary>
    private async Task CleanupHistoryAsync(V1DaemonSet ds, List<V1ControllerRevision> old, CancellationToken ct)
    {
        var toKill = old.Count - (ds.Spec.RevisionHistoryLimit ?? 10);
        if (toKill <= 0)
        {
            return;
        }
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pods in (await NodesToDaemonPodsAsync(ds, includeDeletedTerminal: true, ct)).Values)
        {
            foreach (var pod in pods)
            {
                if (pod.Metadata.Labels?.TryGetValue(DaemonPods.RevisionHashLabel, out var h) == true)
                {
                    live.Add(h);
                }
            }
        }
        foreach (var history in old.OrderBy(r => r.Revision))
        {
            if (toKill <= 0)
            {
                break;
            }
            if (live.Contains(RevisionHash(history)))
            {
                continue;
            }
            await DeleteRevisionAsync(history, ct);
            toKill--;
        }
    }

    private async Task DeleteRevisionAsync(V1ControllerRevision revision, CancellationToken ct)
    {
        try
        {
            await _client.AppsV1.DeleteNamespacedControllerRevisionAsync(revision.Metadata.Name, revision.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }
}
