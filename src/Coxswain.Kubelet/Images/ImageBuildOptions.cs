namespace Coxswain.Kubelet.Images;

/// <summary>What `cox image build` was asked for.</summary>
/// <param name="Name">Image name as a manifest would say it ("myapp:1"); normalised as upstream before pushing.</param>
/// <param name="ContextDir">The build context: COPY sources are relative to it.</param>
/// <param name="File">Containerfile/Dockerfile; null means ContextDir/Containerfile, else ContextDir/Dockerfile.</param>
/// <param name="Registry">host:port of the local registry that FROM pulls from and the result is pushed to.</param>
/// <param name="WorkDir">Cox-owned directory for buildah's storage, run root and registries.conf.</param>
public sealed record ImageBuildOptions(string Name, string ContextDir, string? File, string Registry, string WorkDir);
