using k8s.Models;

namespace Coxswain.Controllers.Common;

/// <summary>Pod state as controllers judge it (upstream podutil and controller_utils).</summary>
public static class Pods
{
    /// <summary>Not finished and not being deleted (upstream IsPodActive).</summary>
    public static bool IsActive(V1Pod pod) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata?.DeletionTimestamp == null;

    public static bool IsTerminating(V1Pod pod) => pod.Metadata?.DeletionTimestamp != null;

    public static V1PodCondition? ReadyCondition(V1Pod pod) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    public static bool IsReady(V1Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>Ready for at least <paramref name="minReadySeconds"/> (upstream IsPodAvailable).</summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTime now)
    {
        var ready = ReadyCondition(pod);
        if (ready?.Status != "True")
        {
            return false;
        }
        return minReadySeconds == 0
            || (ready.LastTransitionTime is { } since && since.ToUniversalTime().AddSeconds(minReadySeconds) <= now);
    }
}
