namespace Coxswain.Kubelet.Volumes;

/// <summary>A volume could not be set up; the message is upstream's wording (e.g. <c>configmap "x" not found</c>).</summary>
internal sealed class VolumeSetupException(string message) : Exception(message);

/// <summary>
/// A volume of a pod that could not be set up. The pod stays ContainerCreating; the pod worker records
/// <see cref="EventMessage"/> as a Warning event with reason <see cref="Reason"/> and retries.
/// </summary>
public sealed record VolumeFailure(string Volume, string Message)
{
    public const string Reason = "FailedMount";

    public string EventMessage => $"MountVolume.SetUp failed for volume \"{Volume}\" : {Message}";
}
