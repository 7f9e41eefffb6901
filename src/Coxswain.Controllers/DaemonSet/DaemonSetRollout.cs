using System.Globalization;
using Coxswain.Client.Cache;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.DaemonSet;

/// <summary>RollingUpdate and status (upstream pkg/controller/daemon/update.go and updateDaemonSetStatus).</summary>
public sealed partial class DaemonSetController
{
    private static bool AllowsSurge(V1DaemonSet ds) =>
        ds.Spec.UpdateStrategy?.Type is null or "RollingUpdate" && ds.Spec.UpdateStrategy?.RollingUpdate?.MaxSurge is { } s && Scaled(s, 100) > 0;

    /// <summary>An int-or-percent of <paramref name="total"/>, percentages rounded up (upstream GetScaledValueFromIntOrPercent).</summary>
    public static int Scaled(IntOrString? value, int total)
    {
        var s = value?.Value;
        if (string.IsNullOrEmpty(s))
        {
            return 0;
        }
        if (s.EndsWith('%'))
        {
            var percent = int.Parse(s.AsSpan(0, s.Length - 1), CultureInfo.InvariantCulture);
            return (int)Math.Ceiling(percent * (double)total / 100);
        }
        return int.Parse(s, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The nodes' new and old pod (upstream findUpdatedPodsOnNode); false when a node has two of either, which the
    /// manage pass sorts out first.
    /// </summary>
    private static bool FindUpdatedPodsOnNode(List<V1Pod>? pods, string hash, long? generation, out V1Pod? newPod, out V1Pod? oldPod)
    {
        newPod = oldPod = null;
        foreach (var pod in pods ?? [])
        {
            if (pod.Metadata.DeletionTimestamp != null)
            {
                continue;
            }
            if (DaemonPods.IsUpdated(pod, hash, generation))
            {
                if (newPod != null)
                {
                    return false;
                }
                newPod = pod;
            }
            else
            {
                if (oldPod != null)
                {
                    return false;
                }
                oldPod = pod;
            }
        }
        return true;
    }

    /// <summary>
    /// Upstream rollingUpdate. Without surge: deletes old pods (the manage pass recreates them from the current
    /// template) while at most maxUnavailable nodes lack an available pod; unavailable old pods are replaced at
    /// once. With surge: starts new pods next to old ones on up to maxSurge nodes and deletes each old pod once its
    /// replacement is available.
    /// </summary>
    private async Task RollingUpdateAsync(V1DaemonSet ds, List<V1Node> nodes, string hash, CancellationToken ct)
    {
        var byNode = await NodesToDaemonPodsAsync(ds, includeDeletedTerminal: false, ct);
        var desired = 0;
        foreach (var node in nodes)
        {
            if (DaemonPods.NodeShouldRun(node, ds).ShouldRun)
            {
                desired++;
                byNode.TryAdd(node.Metadata.Name, []);
            }
        }
        var ru = ds.Spec.UpdateStrategy?.RollingUpdate;
        var maxUnavailable = Scaled(ru?.MaxUnavailable, desired);
        var maxSurge = Scaled(ru?.MaxSurge, desired);
        // An impossible configuration (both zero) behaves like the default.
        if (desired > 0 && maxUnavailable == 0 && maxSurge == 0)
        {
            maxUnavailable = 1;
        }
        var generation = DaemonPods.TemplateGeneration(ds);
        var now = _time.GetUtcNow().UtcDateTime;
        var minReady = ds.Spec.MinReadySeconds ?? 0;
        var ordered = byNode.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();

        if (maxSurge == 0)
        {
            var numUnavailable = 0;
            var replace = new List<V1Pod>();
            var candidates = new List<V1Pod>();
            foreach (var (_, pods) in ordered)
            {
                if (!FindUpdatedPodsOnNode(pods, hash, generation, out var newPod, out var oldPod))
                {
                    numUnavailable++;
                    continue;
                }
                if ((oldPod == null) == (newPod == null))
                {
                    // No pod yet, or both: the manage pass acts; the node counts as unavailable meanwhile.
                    numUnavailable++;
                }
                else if (newPod != null)
                {
                    numUnavailable += Pods.IsAvailable(newPod, minReady, now) ? 0 : 1;
                }
                else if (!Pods.IsAvailable(oldPod!, minReady, now))
                {
                    replace.Add(oldPod!);
                }
                else if (numUnavailable < maxUnavailable)
                {
                    candidates.Add(oldPod!);
                }
            }
            var remaining = Math.Clamp(maxUnavailable - numUnavailable, 0, candidates.Count);
            await SyncNodesAsync(ds, [.. replace, .. candidates.Take(remaining)], [], hash, ct);
            return;
        }

        var numSurge = 0;
        var oldToDelete = new List<V1Pod>();
        var allowedNew = new List<string>();
        var candidateNew = new List<string>();
        foreach (var (nodeName, pods) in ordered)
        {
            if (!FindUpdatedPodsOnNode(pods, hash, generation, out var newPod, out var oldPod))
            {
                numSurge++;
                continue;
            }
            if (oldPod == null)
            {
                continue;
            }
            if (newPod == null)
            {
                if (!Pods.IsAvailable(oldPod, minReady, now))
                {
                    var node = _nodes.Lister.Get(nodeName);
                    if (node == null || !DaemonPods.NodeShouldRun(node, ds).ShouldRun)
                    {
                        oldToDelete.Add(oldPod);
                        continue;
                    }
                    allowedNew.Add(nodeName);
                }
                else if (numSurge < maxSurge)
                {
                    candidateNew.Add(nodeName);
                }
                continue;
            }
            if (!Pods.IsAvailable(newPod, minReady, now))
            {
                numSurge++;
                continue;
            }
            oldToDelete.Add(oldPod);
        }
        var remainingSurge = Math.Clamp(maxSurge - numSurge, 0, candidateNew.Count);
        await SyncNodesAsync(ds, oldToDelete, [.. allowedNew, .. candidateNew.Take(remainingSurge)], hash, ct);
    }

    /// <summary>
    /// Upstream updateDaemonSetStatus: per eligible node, whether it has a pod and whether the oldest is ready,
    /// available and of the current revision; pods on ineligible nodes are misscheduled. Written only when changed.
    /// </summary>
    private async Task UpdateStatusAsync(V1DaemonSet ds, List<V1Node> nodes, string hash, bool updateObservedGeneration, CancellationToken ct)
    {
        var byNode = await NodesToDaemonPodsAsync(ds, includeDeletedTerminal: false, ct);
        int desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
        var now = _time.GetUtcNow().UtcDateTime;
        var minReady = ds.Spec.MinReadySeconds ?? 0;
        var generation = DaemonPods.TemplateGeneration(ds);
        foreach (var node in nodes)
        {
            var shouldRun = DaemonPods.NodeShouldRun(node, ds).ShouldRun;
            var scheduled = byNode.TryGetValue(node.Metadata.Name, out var pods) && pods.Count > 0;
            if (!shouldRun)
            {
                misscheduled += scheduled ? 1 : 0;
                continue;
            }
            desired++;
            if (!scheduled)
            {
                continue;
            }
            current++;
            pods!.Sort(DaemonPods.CompareByAge);
            var pod = pods[0];
            if (Pods.IsReady(pod))
            {
                ready++;
                available += Pods.IsAvailable(pod, minReady, now) ? 1 : 0;
            }
            updated += DaemonPods.IsUpdated(pod, hash, generation) ? 1 : 0;
        }
        var unavailable = desired - available;

        var s = ds.Status ?? new V1DaemonSetStatus();
        if (s.DesiredNumberScheduled != desired || s.CurrentNumberScheduled != current || s.NumberMisscheduled != misscheduled
            || s.NumberReady != ready || (s.UpdatedNumberScheduled ?? 0) != updated || (s.NumberAvailable ?? 0) != available
            || (s.NumberUnavailable ?? 0) != unavailable || (s.ObservedGeneration ?? 0) < (ds.Metadata.Generation ?? 0))
        {
            // A copy: the cached object is shared.
            var toUpdate = KubernetesJson.Deserialize<V1DaemonSet>(KubernetesJson.Serialize(ds));
            for (var attempt = 0; ; attempt++)
            {
                toUpdate.Status ??= new V1DaemonSetStatus();
                if (updateObservedGeneration)
                {
                    toUpdate.Status.ObservedGeneration = ds.Metadata.Generation;
                }
                toUpdate.Status.DesiredNumberScheduled = desired;
                toUpdate.Status.CurrentNumberScheduled = current;
                toUpdate.Status.NumberMisscheduled = misscheduled;
                toUpdate.Status.NumberReady = ready;
                toUpdate.Status.UpdatedNumberScheduled = updated;
                toUpdate.Status.NumberAvailable = available;
                toUpdate.Status.NumberUnavailable = unavailable;
                try
                {
                    await _client.AppsV1.ReplaceNamespacedDaemonSetStatusAsync(toUpdate, ds.Metadata.Name, ds.Metadata.NamespaceProperty, cancellationToken: ct);
                    break;
                }
                catch (Exception e) when (ApiErrors.IsConflict(e) && attempt < 1)
                {
                    toUpdate = await _client.AppsV1.ReadNamespacedDaemonSetAsync(ds.Metadata.Name, ds.Metadata.NamespaceProperty, cancellationToken: ct);
                }
            }
        }
        // A last resort against missed events: look again once pods that are ready may have become available.
        if (minReady > 0 && ready != available)
        {
            EnqueueAfter(Indexer<V1DaemonSet>.KeyOf(ds), TimeSpan.FromSeconds(minReady));
        }
    }
}

/// <summary>
/// Per-key exponential backoff (upstream flowcontrol.Backoff, 1 s doubling to 15 min) for replacing failed daemon
/// pods; an entry idle for twice the maximum starts over.
/// </summary>
internal sealed class FailedPodBackoff(TimeProvider time)
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(15);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (TimeSpan Delay, DateTimeOffset Updated)> _entries = new(StringComparer.Ordinal);

    public bool InBackoff(string key, out TimeSpan delay)
    {
        lock (_lock)
        {
            delay = TimeSpan.Zero;
            if (!_entries.TryGetValue(key, out var e))
            {
                return false;
            }
            delay = e.Delay;
            return time.GetUtcNow() - e.Updated < e.Delay;
        }
    }

    public void Next(string key)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            _entries[key] = _entries.TryGetValue(key, out var e) && now - e.Updated <= 2 * Max
                ? (TimeSpan.FromTicks(Math.Min(e.Delay.Ticks * 2, Max.Ticks)), now)
                : (Initial, now);
        }
    }

    /// <summary>Drops the entries of a deleted DaemonSet ("namespace/name").</summary>
    public void Forget(string dsKey)
    {
        lock (_lock)
        {
            foreach (var key in _entries.Keys.Where(k => k.StartsWith(dsKey + "/", StringComparison.Ordinal)).ToList())
            {
                _entries.Remove(key);
            }
        }
    }
}
