using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.Storage;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Registry;

internal sealed partial class ObjectRegistry
{
    public const string OrphanFinalizer = "orphan";
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>
    /// Deletes an object as upstream does: preconditions, graceful deletion of pods, and for
    /// objects with finalizers (or a propagation policy that adds one) only a deletionTimestamp;
    /// the object goes when its last finalizer is removed.
    /// </summary>
    public async Task<DeleteResult> DeleteAsync(ResourceDefinition def, string? ns, string name, DeleteRequest req, CancellationToken ct)
    {
        if (def.Kind == "Namespace" && name is "default" or "kube-system" or "kube-public")
        {
            // Upstream's NamespaceLifecycle admission keeps the system namespaces.
            throw ApiException.Forbidden("namespaces", "", name, "this namespace may not be deleted");
        }
        var key = StorageKeys.Object(def, ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var kv = await store.GetAsync(key, ct) ?? throw ApiException.NotFound(def.Plural, def.Group, name);
            var obj = StoredObjects.Decode(def, kv);
            var meta = obj.Metadata;
            CheckPreconditions(def, name, req, meta);

            var now = clock.GetUtcNow().UtcDateTime;
            var grace = GracePeriod(def, obj, req);
            var finalizers = FinalizersAfterDelete(meta.Finalizers, req.PropagationPolicy);
            var namespaceFinalizing = obj is V1Namespace nsObj && (nsObj.Spec?.Finalizers?.Count ?? 0) > 0;
            var pending = finalizers.Count > 0 || grace > 0 || namespaceFinalizing;

            if (pending)
            {
                var changed = !finalizers.SequenceEqual(meta.Finalizers ?? []);
                meta.Finalizers = finalizers.Count > 0 ? finalizers : null;
                if (meta.DeletionTimestamp == null)
                {
                    meta.DeletionTimestamp = WriteRules.TruncateToSeconds(now.AddSeconds(grace));
                    meta.DeletionGracePeriodSeconds = grace;
                    changed = true;
                }
                else if (grace < (meta.DeletionGracePeriodSeconds ?? 0))
                {
                    // A shorter grace period than the one in force takes over (upstream allows shortening only).
                    meta.DeletionTimestamp = WriteRules.TruncateToSeconds(now.AddSeconds(grace));
                    meta.DeletionGracePeriodSeconds = grace;
                    changed = true;
                }
                if (obj is V1Namespace terminating)
                {
                    terminating.Status ??= new V1NamespaceStatus();
                    changed |= terminating.Status.Phase != "Terminating";
                    terminating.Status.Phase = "Terminating";
                }
                if (grace == 0 && meta.DeletionTimestamp != null && finalizers.Count == 0 && !namespaceFinalizing)
                {
                    // Grace cut to zero on an object already terminating: it goes now.
                    pending = false;
                }
                else
                {
                    if (!changed || req.DryRun)
                    {
                        return new DeleteResult(obj, false);
                    }
                    try
                    {
                        var written = await store.UpdateAsync(key, StoredObjects.Encode(def, obj), kv.ModRevision, ct);
                        meta.ResourceVersion = written.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        return new DeleteResult(obj, false);
                    }
                    catch (RevisionMismatchException) when (attempt < MaxUpdateRetries)
                    {
                        continue;
                    }
                }
            }

            if (req.DryRun)
            {
                return new DeleteResult(obj, true);
            }
            try
            {
                var deleted = await store.DeleteAsync(key, kv.ModRevision, ct);
                meta.ResourceVersion = deleted.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new DeleteResult(obj, true);
            }
            catch (RevisionMismatchException) when (attempt < MaxUpdateRetries)
            {
            }
            catch (StoreKeyNotFoundException)
            {
                throw ApiException.NotFound(def.Plural, def.Group, name);
            }
        }
    }

    private static void CheckPreconditions(ResourceDefinition def, string name, DeleteRequest req, V1ObjectMeta meta)
    {
        if (req.PreconditionUid != null && req.PreconditionUid != meta.Uid)
        {
            throw ApiException.Conflict(def.Plural, def.Group, name,
                $"Precondition failed: UID in precondition: {req.PreconditionUid}, UID in object meta: {meta.Uid}");
        }
        if (req.PreconditionResourceVersion != null && req.PreconditionResourceVersion != meta.ResourceVersion)
        {
            throw ApiException.Conflict(def.Plural, def.Group, name,
                $"Precondition failed: ResourceVersion in precondition: {req.PreconditionResourceVersion}, ResourceVersion in meta: {meta.ResourceVersion}");
        }
    }

    /// <summary>
    /// Only pods are deleted gracefully: a pod bound to a node and still running gets its grace
    /// period (from the request or its spec); an unscheduled or finished pod goes at once.
    /// </summary>
    private static long GracePeriod(ResourceDefinition def, IKubernetesObject<V1ObjectMeta> obj, DeleteRequest req)
    {
        if (obj is not V1Pod pod)
        {
            return 0;
        }
        if (string.IsNullOrEmpty(pod.Spec?.NodeName) || pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return 0;
        }
        var grace = req.GracePeriodSeconds ?? pod.Spec?.TerminationGracePeriodSeconds ?? 30;
        return Math.Max(0, grace);
    }

    /// <summary>The finalizers an object keeps after a delete with the given propagation policy.</summary>
    private static List<string> FinalizersAfterDelete(IList<string>? current, string? policy)
    {
        var result = new List<string>(current ?? []);
        switch (policy)
        {
            case "Orphan":
                result.Remove(ForegroundFinalizer);
                if (!result.Contains(OrphanFinalizer))
                {
                    result.Add(OrphanFinalizer);
                }
                break;
            case "Foreground":
                result.Remove(OrphanFinalizer);
                if (!result.Contains(ForegroundFinalizer))
                {
                    result.Add(ForegroundFinalizer);
                }
                break;
            case "Background":
                result.Remove(OrphanFinalizer);
                result.Remove(ForegroundFinalizer);
                break;
        }
        return result;
    }
}
