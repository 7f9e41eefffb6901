namespace Coxswain.Kubelet.Streaming;

/// <summary>
/// Finds a pod's container on this node from the names in a streaming request. Implemented by
/// the pod workers; throws <see cref="StreamingRequestException"/> with upstream's message when the
/// pod or container is unknown or not in a state the request can use.
/// </summary>
public interface IContainerLocator
{
    /// <summary>The container's current attempt (and where its previous attempt logged).</summary>
    Task<LocatedContainer> LocateContainerAsync(string podNamespace, string podName, string container, CancellationToken ct);

    /// <summary>The pod sandbox id, for port-forward.</summary>
    Task<string> LocateSandboxAsync(string podNamespace, string podName, CancellationToken ct);

    /// <summary>Whether the container still runs: a followed log ends once it does not and the file stops growing.</summary>
    Task<bool> IsRunningAsync(string containerId, CancellationToken ct);
}

/// <summary>
/// A container as the streaming server sees it. <paramref name="LogPath"/> is the CRI log file of
/// the current attempt; <paramref name="PreviousLogPath"/> that of the attempt before, if any.
/// </summary>
public sealed record LocatedContainer(
    string ContainerId,
    string SandboxId,
    bool Running,
    string? LogPath,
    string? PreviousLogPath);

/// <summary>A request the kubelet refuses, with the HTTP status and the message upstream's kubelet gives.</summary>
public sealed class StreamingRequestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public static StreamingRequestException NotFound(string message) => new(404, message);

    public static StreamingRequestException BadRequest(string message) => new(400, message);
}
