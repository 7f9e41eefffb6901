using System.Net;

namespace Coxswain.Kubelet.Streaming;

/// <summary>Where the kubelet's HTTPS server (logs, exec, attach, port-forward) listens.</summary>
public sealed record KubeletServerOptions
{
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>Upstream's kubelet port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = 10250;

    /// <summary>Names and addresses the self-signed serving certificate covers besides the bind address.</summary>
    public IReadOnlyList<string> CertificateNames { get; init; } = [];
}
