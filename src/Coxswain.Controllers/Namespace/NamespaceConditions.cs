using k8s.Models;

namespace Coxswain.Controllers.Namespace;

/// <summary>
/// The status conditions upstream's namespace deleter keeps on a Terminating namespace: each of five types is True
/// with what went wrong or remains, or False with a fixed "ok" reason and message.
/// </summary>
public static class NamespaceConditions
{
    public const string DiscoveryFailure = "NamespaceDeletionDiscoveryFailure";
    public const string GroupVersionParsingFailure = "NamespaceDeletionGroupVersionParsingFailure";
    public const string ContentFailure = "NamespaceDeletionContentFailure";
    public const string ContentRemaining = "NamespaceContentRemaining";
    public const string FinalizersRemaining = "NamespaceFinalizersRemaining";

    private static readonly (string Type, string Reason, string Message)[] Ok =
    [
        (DiscoveryFailure, "ResourcesDiscovered", "All resources successfully discovered"),
        (GroupVersionParsingFailure, "ParsedGroupVersions", "All legacy kube types successfully parsed"),
        (ContentFailure, "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
        (ContentRemaining, "ContentRemoved", "All content successfully removed"),
        (FinalizersRemaining, "ContentRemoved", "All content successfully removed"),
    ];

    /// <summary>What one pass over the namespace's content found.</summary>
    public sealed class Totals
    {
        /// <summary>Objects still listed, per "resource.group".</summary>
        public SortedDictionary<string, int> Remaining { get; } = new(StringComparer.Ordinal);

        /// <summary>Remaining objects carrying each finalizer.</summary>
        public SortedDictionary<string, int> Finalizers { get; } = new(StringComparer.Ordinal);

        /// <summary>Failed deletes or lists, one message per resource.</summary>
        public List<string> Errors { get; } = [];
    }

    /// <summary>The conditions <paramref name="totals"/> call for.</summary>
    public static List<V1NamespaceCondition> From(Totals totals, DateTime now)
    {
        var failing = new Dictionary<string, (string Reason, string Message)>();
        if (totals.Errors.Count > 0)
        {
            var msgs = totals.Errors.Order(StringComparer.Ordinal).ToList();
            failing[ContentFailure] = ("ContentDeletionFailed", $"Failed to delete all resource types, {msgs.Count} remaining: {string.Join(", ", msgs)}");
        }
        if (totals.Remaining.Count > 0)
        {
            var parts = totals.Remaining.Select(r => $"{r.Key} has {r.Value} resource instances");
            failing[ContentRemaining] = ("SomeResourcesRemain", "Some resources are remaining: " + string.Join(", ", parts));
        }
        if (totals.Finalizers.Count > 0)
        {
            var parts = totals.Finalizers.Select(f => $"{f.Key} in {f.Value} resource instances");
            failing[FinalizersRemaining] = ("SomeFinalizerRemain", "Some finalizers are remaining: " + string.Join(", ", parts));
        }
        return Ok.Select(ok => failing.TryGetValue(ok.Type, out var f)
            ? new V1NamespaceCondition { Type = ok.Type, Status = "True", Reason = f.Reason, Message = f.Message, LastTransitionTime = now }
            : new V1NamespaceCondition { Type = ok.Type, Status = "False", Reason = ok.Reason, Message = ok.Message, LastTransitionTime = now }).ToList();
    }

    /// <summary>
    /// Merges <paramref name="wanted"/> into <paramref name="status"/>; true when anything changed. A condition keeps
    /// its lastTransitionTime unless its status flips.
    /// </summary>
    public static bool Apply(V1NamespaceStatus status, List<V1NamespaceCondition> wanted)
    {
        status.Conditions ??= [];
        var changed = false;
        foreach (var w in wanted)
        {
            var old = status.Conditions.FirstOrDefault(c => c.Type == w.Type);
            if (old == null)
            {
                status.Conditions.Add(w);
                changed = true;
            }
            else if (old.Status != w.Status || old.Reason != w.Reason || old.Message != w.Message)
            {
                if (old.Status != w.Status)
                {
                    old.LastTransitionTime = w.LastTransitionTime;
                }
                (old.Status, old.Reason, old.Message) = (w.Status, w.Reason, w.Message);
                changed = true;
            }
        }
        return changed;
    }
}
