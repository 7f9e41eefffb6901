using System.Net;

namespace Coxswain.ApiServer;

/// <summary>What `cox server` is told on its command line.</summary>
public sealed record ApiServerOptions
{
    public required string DataDir { get; init; }
    public int Port { get; init; } = 6443;
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>How often old revisions are compacted away.</summary>
    public TimeSpan CompactionInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many revisions of history periodic compaction keeps at least.</summary>
    public long CompactionRetainRevisions { get; init; } = 1000;

    /// <summary>Largest request body accepted (upstream: 3 MiB).</summary>
    public long MaxRequestBodyBytes { get; init; } = 3 * 1024 * 1024;

    /// <summary>The address clients should use: the bind address, or loopback when bound to all.</summary>
    public string AdvertisedHost =>
        BindAddress.Equals(IPAddress.Any) || BindAddress.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
        : BindAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{BindAddress}]"
        : BindAddress.ToString();
}
