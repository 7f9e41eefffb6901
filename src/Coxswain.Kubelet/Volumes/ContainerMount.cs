namespace Coxswain.Kubelet.Volumes;

/// <summary>Mount propagation, in the order of the CRI's MountPropagation enum (PRIVATE, HOST_TO_CONTAINER, BIDIRECTIONAL).</summary>
public enum MountPropagation
{
    Private = 0,
    HostToContainer = 1,
    Bidirectional = 2,
}

/// <summary>One bind mount of a container, ready to become a CRI Mount (host_path, container_path, readonly, propagation).</summary>
public sealed record ContainerMount(string HostPath, string ContainerPath, bool ReadOnly, MountPropagation Propagation);
