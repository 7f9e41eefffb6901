using System.Globalization;
using Coxswain.Client.Events;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;
using static Coxswain.Controllers.Deployment.DeploymentUtil;

namespace Coxswain.Controllers.Deployment;

// Upstream sync.go: the new ReplicaSet and revisions, scaling (proportional across ReplicaSets), cleanup.
public sealed partial class DeploymentController
{
    /// <summary>
    /// The new ReplicaSet (the one with the deployment's template; created when <paramref name="create"/> and missing)
    /// and the old ones, with the revision annotations brought up to date.
    /// </summary>
    private async Task<(V1ReplicaSet? New, List<V1ReplicaSet> Old)> GetAllReplicaSetsAndSyncRevisionAsync(
        V1Deployment d, List<V1ReplicaSet> rsList, bool create, CancellationToken ct)
    {
        var existing = FindNew(d, rsList);
        var old = rsList.Where(rs => !ReferenceEquals(rs, existing)).ToList();
        var newRS = await GetNewReplicaSetAsync(d, rsList, existing, old, create, ct);
        return (newRS, old);
    }

    private async Task<V1ReplicaSet?> GetNewReplicaSetAsync(V1Deployment d, List<V1ReplicaSet> rsList, V1ReplicaSet? existing,
        List<V1ReplicaSet> old, bool create, CancellationToken ct)
    {
        var newRevision = (MaxRevision(old) + 1).ToString(CultureInfo.InvariantCulture);
        if (existing != null)
        {
            var rs = Clone(existing);
            var annotationsChanged = SetNewReplicaSetAnnotations(d, rs, MaxRevision(old) + 1, exists: true);
            var minReadyChanged = (rs.Spec.MinReadySeconds ?? 0) != (d.Spec.MinReadySeconds ?? 0);
            if (annotationsChanged || minReadyChanged)
            {
                rs.Spec.MinReadySeconds = d.Spec.MinReadySeconds;
                rs = await _client.AppsV1.ReplaceNamespacedReplicaSetAsync(rs, rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct);
                // A later call in this sync must see what was written, not update it again from a stale copy.
                rsList[rsList.IndexOf(existing)] = rs;
            }
            var needsUpdate = SetDeploymentRevision(d, (rs.Metadata.Annotations != null && rs.Metadata.Annotations.TryGetValue(RevisionAnnotation, out var r) ? r : newRevision));
            if (HasProgressDeadline(d) && DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing) == null)
            {
                DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                    DeploymentConditions.FoundNewReplicaSet, $"Found new replica set \"{rs.Metadata.Name}\"", Now));
                needsUpdate = true;
            }
            if (needsUpdate)
            {
                await UpdateStatusAsync(d, ct);
            }
            return rs;
        }
        if (!create)
        {
            return null;
        }

        // The template with the hash label; the hash also goes into the selector so ReplicaSets never overlap.
        var hash = TemplateHash.Compute(d.Spec.Template, d.Status.CollisionCount);
        var template = Clone(d.Spec.Template);
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Labels = new Dictionary<string, string>(d.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            [PodTemplateHashLabel] = hash,
        };
        var selector = Clone(d.Spec.Selector);
        selector.MatchLabels = new Dictionary<string, string>(selector.MatchLabels ?? new Dictionary<string, string>()) { [PodTemplateHashLabel] = hash };
        var newRS = new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = $"{d.Metadata.Name}-{hash}",
                NamespaceProperty = d.Metadata.NamespaceProperty,
                OwnerReferences = [OwnerRefs.NewControllerRef(d, "apps/v1", "Deployment")],
                Labels = new Dictionary<string, string>(template.Metadata.Labels),
            },
            Spec = new V1ReplicaSetSpec { Replicas = 0, MinReadySeconds = d.Spec.MinReadySeconds, Selector = selector, Template = template },
        };
        var replicas = NewRSNewReplicas(d, [.. old, newRS], newRS);
        newRS.Spec.Replicas = replicas;
        SetNewReplicaSetAnnotations(d, newRS, MaxRevision(old) + 1, exists: false);

        V1ReplicaSet created;
        var alreadyExists = false;
        try
        {
            created = await _client.AppsV1.CreateNamespacedReplicaSetAsync(newRS, d.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            // Ours with this template (a stale cache): use it. Anything else is a hash collision: count it, so the
            // next sync computes another name.
            // Not in the cache yet: retry later rather than take our own fresh ReplicaSet for a collision.
            var found = _replicaSets.Lister.Get(d.Metadata.NamespaceProperty, newRS.Metadata.Name)
                ?? throw new InvalidOperationException($"replica set {newRS.Metadata.Name} exists but is not in the cache yet", e);
            if (OwnerRefs.IsControlledBy(found.Metadata, d.Metadata.Uid) && EqualIgnoreHash(found.Spec.Template, d.Spec.Template))
            {
                created = Clone(found);
                alreadyExists = true;
            }
            else
            {
                d.Status.CollisionCount = (d.Status.CollisionCount ?? 0) + 1;
                await UpdateStatusAsync(d, ct);
                throw;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var message = $"Failed to create new replica set \"{newRS.Metadata.Name}\": {ApiErrors.Message(e)}";
            if (HasProgressDeadline(d))
            {
                DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "False",
                    DeploymentConditions.ReplicaSetCreateError, message, Now));
                await UpdateStatusAsync(d, ct);
            }
            _recorder.Event(d, EventTypes.Warning, "FailedCreate", message);
            throw;
        }
        if (!alreadyExists && replicas > 0)
        {
            _recorder.Event(d, EventTypes.Normal, "ScalingReplicaSet", $"Scaled up replica set {created.Metadata.Name} from 0 to {replicas}");
        }
        var changed = SetDeploymentRevision(d, newRevision);
        if (!alreadyExists && HasProgressDeadline(d))
        {
            DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                DeploymentConditions.NewReplicaSetCreated, $"Created new replica set \"{created.Metadata.Name}\"", Now));
            changed = true;
        }
        if (changed)
        {
            await UpdateStatusAsync(d, ct);
        }
        return created;
    }

    /// <summary>Paused deployments and resizes: only scale (upstream sync), then write status.</summary>
    private async Task ScaleOnlyAsync(V1Deployment d, List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, old) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: false, ct);
        await ScaleAsync(d, newRS, old, ct);
        if (d.Spec.Paused == true)
        {
            await CleanupAsync(d, old, ct);
        }
        await SyncDeploymentStatusAsync(d, [.. old, .. Nullable(newRS)], newRS, ct);
    }

    private async Task SyncStatusOnlyAsync(V1Deployment d, List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, old) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: false, ct);
        await SyncDeploymentStatusAsync(d, [.. old, .. Nullable(newRS)], newRS, ct);
    }

    private static IEnumerable<V1ReplicaSet> Nullable(V1ReplicaSet? rs) => rs == null ? [] : [rs];

    /// <summary>True when an active ReplicaSet was sized for another replica count than the deployment's now.</summary>
    private async Task<bool> IsScalingEventAsync(V1Deployment d, List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, old) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: false, ct);
        return Active([.. old, newRS]).Any(rs => IntAnnotation(rs, DesiredReplicasAnnotation) is int desired && desired != Replicas(d));
    }

    /// <summary>
    /// Upstream scale: with one active ReplicaSet (or none) it gets the whole count; a saturated new ReplicaSet lets
    /// the old ones go to zero; mid-rollout the difference is spread over the active ReplicaSets in proportion to
    /// their size, the rounding leftover going to the largest (newest when scaling up, oldest when down).
    /// </summary>
    private async Task ScaleAsync(V1Deployment d, V1ReplicaSet? newRS, List<V1ReplicaSet> old, CancellationToken ct)
    {
        var replicas = Replicas(d);
        if (ActiveOrLatest(newRS, old) is { } only)
        {
            if (Replicas(only) != replicas)
            {
                await ScaleReplicaSetAndRecordEventAsync(only, replicas, d, ct);
            }
            return;
        }
        if (IsSaturated(d, newRS))
        {
            foreach (var rs in Active(old))
            {
                await ScaleReplicaSetAndRecordEventAsync(rs, 0, d, ct);
            }
            return;
        }
        if (!IsRollingUpdate(d))
        {
            return;
        }
        var all = Active([.. old, newRS]);
        var allowed = replicas > 0 ? replicas + MaxSurge(d) : 0;
        var toAdd = allowed - SpecReplicas(all);
        var operation = "";
        if (toAdd > 0)
        {
            all.Sort(BySizeNewer);
            operation = "up";
        }
        else if (toAdd < 0)
        {
            all.Sort(BySizeOlder);
            operation = "down";
        }
        var added = 0;
        var sizes = new List<int>(all.Count);
        foreach (var rs in all)
        {
            var proportion = toAdd == 0 ? 0 : Proportion(rs, d, toAdd, added);
            sizes.Add(Replicas(rs) + proportion);
            added += proportion;
        }
        for (var i = 0; i < all.Count; i++)
        {
            if (i == 0 && toAdd != 0)
            {
                sizes[0] = Math.Max(0, sizes[0] + toAdd - added);
            }
            await ScaleReplicaSetAsync(all[i], sizes[i], d, operation, ct);
        }
    }

    private static V1ReplicaSet? ActiveOrLatest(V1ReplicaSet? newRS, List<V1ReplicaSet> old)
    {
        if (newRS == null && old.Count == 0)
        {
            return null;
        }
        var newestFirst = old.OrderByDescending(rs => rs, ByCreation).ToList();
        var active = Active([.. newestFirst, newRS]);
        return active.Count switch
        {
            0 => newRS ?? newestFirst[0],
            1 => active[0],
            _ => null,
        };
    }

    /// <summary>The new ReplicaSet has every replica the deployment wants, sized for this count and all available.</summary>
    private static bool IsSaturated(V1Deployment d, V1ReplicaSet? rs) =>
        rs != null && Replicas(rs) == Replicas(d) && IntAnnotation(rs, DesiredReplicasAnnotation) == Replicas(d) && Available(rs) == Replicas(d);

    private static int Proportion(V1ReplicaSet rs, V1Deployment d, int toAdd, int added)
    {
        if (Replicas(rs) == 0 || toAdd == 0 || toAdd == added)
        {
            return 0;
        }
        var fraction = Fraction(rs, d);
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    // The change this ReplicaSet's size would get if it kept its share of the deployment's maximum size, the
    // share being taken from the max-replicas annotation written when it was last scaled.
    private static int Fraction(V1ReplicaSet rs, V1Deployment d)
    {
        if (Replicas(d) == 0)
        {
            return -Replicas(rs);
        }
        var max = Replicas(d) + MaxSurge(d);
        var maxBefore = IntAnnotation(rs, MaxReplicasAnnotation) ?? 0;
        if (maxBefore == 0)
        {
            maxBefore = d.Status.Replicas ?? 0;
            if (maxBefore == 0)
            {
                return 0;
            }
        }
        var size = (double)Replicas(rs) * max / maxBefore;
        return (int)Math.Round(size, MidpointRounding.AwayFromZero) - Replicas(rs);
    }

    private async Task<(bool Scaled, V1ReplicaSet RS)> ScaleReplicaSetAndRecordEventAsync(V1ReplicaSet rs, int newScale, V1Deployment d, CancellationToken ct)
    {
        if (Replicas(rs) == newScale)
        {
            return (false, rs);
        }
        return await ScaleReplicaSetAsync(rs, newScale, d, Replicas(rs) < newScale ? "up" : "down", ct);
    }

    /// <summary>Sets the size and the replica annotations in one update; an event when the size changed.</summary>
    private async Task<(bool Scaled, V1ReplicaSet RS)> ScaleReplicaSetAsync(V1ReplicaSet rs, int newScale, V1Deployment d, string operation, CancellationToken ct)
    {
        var sizeChanged = Replicas(rs) != newScale;
        var max = Replicas(d) + MaxSurge(d);
        if (!sizeChanged && !ReplicasAnnotationsNeedUpdate(rs, Replicas(d), max))
        {
            return (false, rs);
        }
        var oldScale = Replicas(rs);
        var copy = Clone(rs);
        copy.Spec.Replicas = newScale;
        SetReplicasAnnotations(copy, Replicas(d), max);
        var updated = await _client.AppsV1.ReplaceNamespacedReplicaSetAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
        updated ??= copy;
        // Callers keep working on their list; keep it in step with what was written.
        rs.Spec.Replicas = newScale;
        rs.Metadata.Annotations = updated.Metadata.Annotations ?? copy.Metadata.Annotations;
        rs.Metadata.ResourceVersion = updated.Metadata.ResourceVersion;
        if (sizeChanged)
        {
            _recorder.Event(d, EventTypes.Normal, "ScalingReplicaSet", $"Scaled {operation} replica set {rs.Metadata.Name} from {oldScale} to {newScale}");
        }
        return (sizeChanged, rs);
    }

    /// <summary>Deletes the oldest old ReplicaSets past revisionHistoryLimit, only those already scaled to zero.</summary>
    private async Task CleanupAsync(V1Deployment d, List<V1ReplicaSet> old, CancellationToken ct)
    {
        if (!HasRevisionHistoryLimit(d))
        {
            return;
        }
        var cleanable = old.Where(rs => rs.Metadata.DeletionTimestamp == null).ToList();
        var diff = cleanable.Count - d.Spec.RevisionHistoryLimit!.Value;
        if (diff <= 0)
        {
            return;
        }
        cleanable.Sort(ByRevision);
        foreach (var rs in cleanable.Take(diff))
        {
            if ((rs.Status?.Replicas ?? 0) != 0 || Replicas(rs) != 0
                || (rs.Metadata.Generation ?? 0) > (rs.Status?.ObservedGeneration ?? 0) || rs.Metadata.DeletionTimestamp != null)
            {
                continue;
            }
            try
            {
                await _client.AppsV1.DeleteNamespacedReplicaSetAsync(rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
            }
        }
    }
}
