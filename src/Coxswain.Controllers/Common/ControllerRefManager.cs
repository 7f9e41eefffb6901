using Coxswain.Client.Cache;
using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Common;

/// <summary>
/// Upstream's ControllerRefManager: decides which objects (pods of a ReplicaSet, ReplicaSets of a Deployment, ...)
/// an owner controls. Objects it controls that stopped matching its selector are released (its ownerReference is
/// removed); orphans that match are adopted (a controller ownerReference is added), unless the owner is being
/// deleted. Objects controlled by someone else are never touched. Adoption and release are strategic merge
/// patches with the object's uid as precondition, so a replaced object of the same name is left alone.
/// </summary>
public sealed class ControllerRefManager<T>(
    IKubernetesObject<V1ObjectMeta> owner,
    V1OwnerReference controllerRef,
    V1LabelSelector selector,
    Func<string, string, string, CancellationToken, Task> patch,
    Func<CancellationToken, Task<bool>>? canAdopt = null)
    where T : IKubernetesObject<V1ObjectMeta>
{
    private bool? _canAdopt;

    /// <summary>The objects the owner controls after adoption and release.</summary>
    public async Task<List<T>> ClaimAsync(IEnumerable<T> candidates, CancellationToken ct)
    {
        var claimed = new List<T>();
        foreach (var obj in candidates)
        {
            if (await ClaimOneAsync(obj, ct))
            {
                claimed.Add(obj);
            }
        }
        return claimed;
    }

    private async Task<bool> ClaimOneAsync(T obj, CancellationToken ct)
    {
        var meta = obj.Metadata;
        var matches = LabelSelectors.Matches(selector, meta.Labels ?? new Dictionary<string, string>());
        var controller = OwnerRefs.ControllerOf(meta);
        var ownerDeleting = owner.Metadata.DeletionTimestamp != null;
        if (controller != null)
        {
            if (controller.Uid != owner.Metadata.Uid)
            {
                return false;
            }
            if (matches)
            {
                return true;
            }
            if (ownerDeleting)
            {
                return false;
            }
            await PatchIgnoringGoneAsync(obj, $"{{\"metadata\":{{\"ownerReferences\":[{{\"$patch\":\"delete\",\"uid\":\"{owner.Metadata.Uid}\"}}],\"uid\":\"{meta.Uid}\"}}}}", ct);
            return false;
        }
        if (ownerDeleting || !matches || meta.DeletionTimestamp != null)
        {
            return false;
        }
        // Checked once per claim pass, and only when there is an orphan: upstream re-reads the owner from the API
        // so that an owner deleted since the cache was filled adopts nothing.
        _canAdopt ??= canAdopt == null || await canAdopt(ct);
        if (_canAdopt != true)
        {
            return false;
        }
        var reference = KubernetesJson.Serialize(controllerRef);
        return await PatchIgnoringGoneAsync(obj, $"{{\"metadata\":{{\"ownerReferences\":[{reference}],\"uid\":\"{meta.Uid}\"}}}}", ct);
    }

    private async Task<bool> PatchIgnoringGoneAsync(T obj, string body, CancellationToken ct)
    {
        try
        {
            await patch(obj.Metadata.NamespaceProperty, obj.Metadata.Name, body, ct);
            return true;
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e) || ApiErrors.Code(e) == System.Net.HttpStatusCode.UnprocessableEntity)
        {
            // Gone, or replaced by an object with another uid (the precondition failed): not ours to claim.
            return false;
        }
    }
}
