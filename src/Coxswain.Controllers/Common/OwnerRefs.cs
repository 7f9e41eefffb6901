using k8s;
using k8s.Models;

namespace Coxswain.Controllers.Common;

/// <summary>ownerReferences helpers (upstream metav1.GetControllerOf / NewControllerRef).</summary>
public static class OwnerRefs
{
    /// <summary>The reference marked controller: true, if any.</summary>
    public static V1OwnerReference? ControllerOf(V1ObjectMeta? meta)
    {
        if (meta?.OwnerReferences == null)
        {
            return null;
        }
        foreach (var r in meta.OwnerReferences)
        {
            if (r.Controller == true)
            {
                return r;
            }
        }
        return null;
    }

    /// <summary>A controller reference to <paramref name="owner"/> that blocks its foreground deletion.</summary>
    public static V1OwnerReference NewControllerRef(IKubernetesObject<V1ObjectMeta> owner, string apiVersion, string kind) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = owner.Metadata.Name,
        Uid = owner.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    /// <summary>True when <paramref name="meta"/> is controlled by the object with <paramref name="ownerUid"/>.</summary>
    public static bool IsControlledBy(V1ObjectMeta? meta, string ownerUid) => ControllerOf(meta)?.Uid == ownerUid;
}
