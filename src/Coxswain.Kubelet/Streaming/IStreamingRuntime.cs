namespace Coxswain.Kubelet.Streaming;

/// <summary>
/// What the streaming server needs from the container runtime: the CRI Exec, Attach and
/// PortForward calls, which answer with a single-use URL on the runtime's own stream server.
/// </summary>
public interface IStreamingRuntime
{
    Task<Uri> GetExecUrlAsync(string containerId, IReadOnlyList<string> command, StreamFlags streams, CancellationToken ct);

    Task<Uri> GetAttachUrlAsync(string containerId, StreamFlags streams, CancellationToken ct);

    Task<Uri> GetPortForwardUrlAsync(string sandboxId, IReadOnlyList<int> ports, CancellationToken ct);
}

/// <summary>Which standard streams an exec or attach session carries, and whether it has a terminal.</summary>
public sealed record StreamFlags(bool Stdin, bool Stdout, bool Stderr, bool Tty);
