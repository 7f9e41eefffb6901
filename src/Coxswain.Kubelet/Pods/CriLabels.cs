namespace Coxswain.Kubelet.Pods;

/// <summary>
/// The labels and annotations upstream's kubelet puts on CRI sandboxes and containers. Everything the kubelet
/// needs to re-adopt a pod after a restart (which pod, which container, how many restarts) lives on the
/// runtime's objects, so nothing is kept only in the agent's memory.
/// </summary>
internal static class CriLabels
{
    public const string PodName = "io.kubernetes.pod.name";
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string ContainerName = "io.kubernetes.container.name";
    public const string ContainerType = "io.kubernetes.container.type"; // upstream sets it on containers: "container"

    public const string RestartCount = "io.kubernetes.container.restartCount";
    public const string TerminationMessagePath = "io.kubernetes.container.terminationMessagePath";
    public const string TerminationMessagePolicy = "io.kubernetes.container.terminationMessagePolicy";
    public const string TerminationMessageFile = "coxswain.dev/termination-message-file";
    public const string PodTerminationGracePeriod = "io.kubernetes.pod.terminationGracePeriod";
    public const string PreStopHandler = "io.kubernetes.container.preStopHandler";
    public const string ContainerHash = "io.kubernetes.container.hash";
}
