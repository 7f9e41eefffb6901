namespace Coxswain.Kubelet.Env;

/// <summary>
/// The container cannot be configured (a missing ConfigMap, Secret or key, a bad subPathExpr, ...). The message is
/// upstream's wording; the pod worker reports the container as waiting with reason CreateContainerConfigError and it.
/// </summary>
public sealed class ContainerConfigException(string message) : Exception(message)
{
    /// <summary>The waiting reason upstream's kubelet shows for these errors.</summary>
    public const string Reason = "CreateContainerConfigError";
}
