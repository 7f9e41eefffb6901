using Coxswain.Api.Errors;
using Coxswain.Api.Resources;
using Coxswain.Api.Selectors;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Http;

/// <summary>The autoscaling/v1 Scale view of deployments, replicasets and statefulsets.</summary>
internal static class ScaleSubresource
{
    public static V1Scale ToScale(ResourceDefinition def, IKubernetesObject<V1ObjectMeta> obj)
    {
        var (replicas, statusReplicas, selector) = obj switch
        {
            V1Deployment d => (d.Spec?.Replicas ?? 1, d.Status?.Replicas ?? 0, d.Spec?.Selector),
            V1ReplicaSet r => (r.Spec?.Replicas ?? 1, r.Status?.Replicas ?? 0, r.Spec?.Selector),
            V1StatefulSet s => (s.Spec?.Replicas ?? 1, s.Status?.Replicas ?? 0, s.Spec?.Selector),
            _ => throw new ApiException(404, "NotFound", "the server could not find the requested resource"),
        };
        return new V1Scale
        {
            ApiVersion = "autoscaling/v1",
            Kind = "Scale",
            Metadata = new V1ObjectMeta
            {
                Name = obj.Metadata.Name,
                NamespaceProperty = obj.Metadata.NamespaceProperty,
                Uid = obj.Metadata.Uid,
                ResourceVersion = obj.Metadata.ResourceVersion,
                CreationTimestamp = obj.Metadata.CreationTimestamp,
            },
            Spec = new V1ScaleSpec { Replicas = replicas },
            Status = new V1ScaleStatus { Replicas = statusReplicas, Selector = LabelSelector.FromLabelSelector(selector).ToString() },
        };
    }

    /// <summary>Sets spec.replicas on the underlying object.</summary>
    public static void SetReplicas(IKubernetesObject<V1ObjectMeta> obj, int replicas)
    {
        switch (obj)
        {
            case V1Deployment d:
                d.Spec.Replicas = replicas;
                break;
            case V1ReplicaSet r:
                r.Spec.Replicas = replicas;
                break;
            case V1StatefulSet s:
                s.Spec.Replicas = replicas;
                break;
        }
    }
}
