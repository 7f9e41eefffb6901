using Coxswain.Client.Cache;
using Coxswain.Client.Events;
using Coxswain.Controllers.Common;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.StatefulSet;

/// <summary>
/// Creates, updates and deletes a StatefulSet's pods and claims through the API and records upstream's
/// StatefulPodControl events ("create Pod web-0 in StatefulSet web successful", "create Claim www-web-0 Pod web-0
/// in StatefulSet web success", ...). Claims are created before their pod and never deleted here: the
/// persistentVolumeClaimRetentionPolicy only decides which ownerReferences they carry, and the garbage collector
/// deletes them with their owner.
/// </summary>
internal sealed class StatefulPodControl(IKubernetes client, IEventRecorder events, Lister<V1PersistentVolumeClaim> claims)
{
    public async Task CreatePodAsync(V1StatefulSet set, V1Pod pod, CancellationToken ct)
    {
        // Claims first: the pod cannot start without them, and a claim created later would be missed by the kubelet.
        await CreateMissingClaimsAsync(set, pod, ct);
        try
        {
            await client.CoreV1.CreateNamespacedPodAsync(pod, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            throw; // a stale cache; retried without an event, as upstream does
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RecordPod("create", set, pod, e);
            throw;
        }
        RecordPod("create", set, pod, null);
    }

    /// <summary>Brings a pod's identity, storage and its claims' ownership back in line with the set (upstream UpdateStatefulPod).</summary>
    public async Task UpdatePodAsync(V1StatefulSet set, V1Pod pod, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var consistent = true;
            if (!StatefulSetUtils.IdentityMatches(set, pod))
            {
                StatefulSetUtils.UpdateIdentity(set, pod);
                consistent = false;
            }
            if (!StatefulSetUtils.StorageMatches(set, pod))
            {
                StatefulSetUtils.UpdateStorage(set, pod);
                consistent = false;
                await CreateMissingClaimsAsync(set, pod, ct);
            }
            await UpdateClaimsForRetentionPolicyAsync(set, pod, ct);
            if (consistent)
            {
                return;
            }
            try
            {
                await client.CoreV1.ReplaceNamespacedPodAsync(pod, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                RecordPod("update", set, pod, null);
                return;
            }
            catch (Exception e) when (ApiErrors.IsConflict(e) && attempt < 4)
            {
                pod = await client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                RecordPod("update", set, pod, e);
                throw;
            }
        }
    }

    public async Task DeletePodAsync(V1StatefulSet set, V1Pod pod, CancellationToken ct)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RecordPod("delete", set, pod, e);
            throw;
        }
        RecordPod("delete", set, pod, null);
    }

    public async Task CreateMissingClaimsAsync(V1StatefulSet set, V1Pod pod, CancellationToken ct)
    {
        foreach (var claim in StatefulSetUtils.Claims(set, StatefulSetUtils.OrdinalOf(pod)).Values)
        {
            if (claims.Get(claim.Metadata.NamespaceProperty, claim.Metadata.Name) is { } existing)
            {
                if (existing.Metadata.DeletionTimestamp != null)
                {
                    throw new InvalidOperationException($"pvc {existing.Metadata.Name} is being deleted");
                }
                continue;
            }
            // A new claim already carries the set's reference when whenDeleted is Delete (the pod's own
            // reference only matters once it is scaled down, and the pod has no uid yet).
            if (Desired(set, pod).SetRef)
            {
                claim.Metadata.OwnerReferences = [OwnerRefs.NewControllerRef(set, "apps/v1", "StatefulSet")];
            }
            try
            {
                await client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(claim, claim.Metadata.NamespaceProperty, cancellationToken: ct);
            }
            catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
            {
                continue;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                events.Event(set, EventTypes.Warning, "FailedCreate",
                    $"create Claim {claim.Metadata.Name} for Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} failed error: {ApiErrors.Message(e)}");
                throw;
            }
            events.Event(set, EventTypes.Normal, "SuccessfulCreate",
                $"create Claim {claim.Metadata.Name} Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} success");
        }
    }

    /// <summary>
    /// Which owners a claim should have (upstream isClaimOwnerUpToDate): the set when whenDeleted is Delete, unless
    /// the pod is scaled down and whenScaled is Delete, in which case the pod (so the claim goes with it).
    /// </summary>
    private static (bool SetRef, bool PodRef) Desired(V1StatefulSet set, V1Pod pod)
    {
        var policy = set.Spec.PersistentVolumeClaimRetentionPolicy;
        var deleteWithSet = policy?.WhenDeleted == "Delete";
        var deleteWhenScaled = policy?.WhenScaled == "Delete";
        var scaledDown = !StatefulSetUtils.InOrdinalRange(set, StatefulSetUtils.OrdinalOf(pod));
        return (deleteWithSet && !(deleteWhenScaled && scaledDown), deleteWhenScaled && scaledDown);
    }

    private static bool HasRef(V1PersistentVolumeClaim claim, string? uid) => claim.Metadata.OwnerReferences?.Any(r => r.Uid == uid) == true;

    private bool ClaimUpToDate(V1StatefulSet set, V1Pod pod, V1PersistentVolumeClaim claim)
    {
        var controller = OwnerRefs.ControllerOf(claim.Metadata);
        if (controller != null && controller.Uid != set.Metadata.Uid && controller.Uid != pod.Metadata.Uid)
        {
            return true; // someone else's claim: not ours to change
        }
        var (setRef, podRef) = Desired(set, pod);
        return HasRef(claim, set.Metadata.Uid) == setRef && (pod.Metadata.Uid == null || HasRef(claim, pod.Metadata.Uid) == podRef);
    }

    /// <summary>True when every existing claim of the pod carries the owners the retention policy asks for.</summary>
    public bool ClaimsMatchRetentionPolicy(V1StatefulSet set, V1Pod pod) =>
        StatefulSetUtils.Claims(set, StatefulSetUtils.OrdinalOf(pod)).Values
            .Select(c => claims.Get(c.Metadata.NamespaceProperty, c.Metadata.Name))
            .All(c => c == null || ClaimUpToDate(set, pod, c));

    public async Task UpdateClaimsForRetentionPolicyAsync(V1StatefulSet set, V1Pod pod, CancellationToken ct)
    {
        foreach (var wanted in StatefulSetUtils.Claims(set, StatefulSetUtils.OrdinalOf(pod)).Values)
        {
            var cached = claims.Get(wanted.Metadata.NamespaceProperty, wanted.Metadata.Name);
            if (cached == null || ClaimUpToDate(set, pod, cached))
            {
                continue;
            }
            var claim = StatefulSetUtils.Clone(cached);
            var refs = (claim.Metadata.OwnerReferences ?? [])
                .Where(r => !(r.Kind == "StatefulSet" && r.Name == set.Metadata.Name) && !(r.Kind == "Pod" && r.Name == pod.Metadata.Name))
                .ToList();
            var (setRef, podRef) = Desired(set, pod);
            if (setRef)
            {
                refs.Add(OwnerRefs.NewControllerRef(set, "apps/v1", "StatefulSet"));
            }
            if (podRef && pod.Metadata.Uid != null)
            {
                refs.Add(OwnerRefs.NewControllerRef(pod, "v1", "Pod"));
            }
            claim.Metadata.OwnerReferences = refs;
            await client.CoreV1.ReplaceNamespacedPersistentVolumeClaimAsync(claim, claim.Metadata.Name, claim.Metadata.NamespaceProperty, cancellationToken: ct);
        }
    }

    private void RecordPod(string verb, V1StatefulSet set, V1Pod pod, Exception? error)
    {
        var reason = (error == null ? "Successful" : "Failed") + char.ToUpperInvariant(verb[0]) + verb[1..];
        var message = error == null
            ? $"{verb} Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} successful"
            : $"{verb} Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} failed error: {ApiErrors.Message(error)}";
        events.Event(set, error == null ? EventTypes.Normal : EventTypes.Warning, reason, message);
    }
}
