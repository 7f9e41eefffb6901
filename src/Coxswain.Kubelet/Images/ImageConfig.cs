namespace Coxswain.Kubelet.Images;

/// <summary>The runtime part of an OCI image config ("config" object): what a container of the image runs by default.</summary>
public sealed record ImageConfig
{
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }

    /// <summary>The PATH every Linux base image sets.</summary>
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}
