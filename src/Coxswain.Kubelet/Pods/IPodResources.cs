using Coxswain.Kubelet.Cri.V1;
using k8s.Models;

namespace Coxswain.Kubelet.Pods;

/// <summary>A volume or env source is missing or wrong; the message is upstream's and ends up in events and status.</summary>
internal sealed class PodResourceException(string message) : Exception(message);

/// <summary>What a pod's containers get from the node besides the image: volumes on the host and the environment.</summary>
internal interface IPodResources
{
    /// <summary>Makes every volume of the pod ready on the host; throws <see cref="PodResourceException"/> (FailedMount).</summary>
    Task PrepareAsync(V1Pod pod, CancellationToken ct);

    /// <summary>Refreshes configMap, secret, downwardAPI and projected contents of a running pod.</summary>
    Task RefreshAsync(V1Pod pod, CancellationToken ct);

    /// <summary>The container's environment; throws <see cref="PodResourceException"/> (CreateContainerConfigError).</summary>
    Task<IReadOnlyList<KeyValue>> EnvAsync(V1Pod pod, V1Container container, string? podIp, string hostIp, CancellationToken ct);

    /// <summary>The container's mounts, including its termination-message file.</summary>
    IReadOnlyList<Mount> Mounts(V1Pod pod, V1Container container, IReadOnlyList<KeyValue> env);

    /// <summary>The host file the container's terminationMessagePath is mounted from, if any.</summary>
    string? TerminationMessageFile(string podUid, string container);

    /// <summary>Unmounts and removes everything of the pod.</summary>
    Task TeardownAsync(string podUid, CancellationToken ct);
}
