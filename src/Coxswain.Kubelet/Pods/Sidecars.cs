using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>
/// Restartable init containers, upstream's sidecar containers (KEP-753): they start in init-container order, the
/// next init container waits until they have started, they keep running (restarted whatever the pod's
/// restartPolicy) beside the app containers, and they are stopped after the app containers, last one first.
/// </summary>
internal static class Sidecars
{
    public static bool IsSidecar(this V1Container container) => container.RestartPolicy == "Always";

    public static IEnumerable<V1Container> Of(V1PodSpec spec) => (spec.InitContainers ?? []).Where(IsSidecar);

    /// <summary>An app container has been created in this sandbox: initialization is over and is not waited for again.</summary>
    public static bool AppContainersCreated(V1PodSpec spec, PodRuntimeState state, string sandboxId) =>
        state.Containers.Any(c => c.SandboxId == sandboxId && spec.Containers.Any(s => s.Name == c.Name));
}
