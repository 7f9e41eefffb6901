using System.Net.Sockets;
using Coxswain.Kubelet.Cri.V1;
using Grpc.Net.Client;

namespace Coxswain.Kubelet.Cri;

/// <summary>
/// A CRI runtime.v1 client on a container runtime's unix socket (containerd's, here). gRPC needs an HTTP
/// address, so the channel dials "localhost" and the handler connects the unix socket instead.
/// </summary>
public sealed class CriClient : IDisposable
{
    // containerd accepts messages up to 16 MiB each way; ExecSync output can be that large.
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private readonly GrpcChannel _channel;

    private CriClient(GrpcChannel channel)
    {
        _channel = channel;
        Runtime = new RuntimeService.RuntimeServiceClient(channel);
        Images = new ImageService.ImageServiceClient(channel);
    }

    public string SocketPath { get; private init; } = "";
    public RuntimeService.RuntimeServiceClient Runtime { get; }
    public ImageService.ImageServiceClient Images { get; }

    public static CriClient Connect(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            // Long-running calls (a slow pull) and idle periods must not kill the single HTTP/2 connection.
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            EnableMultipleHttp2Connections = true,
        };
        var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
        });
        return new CriClient(channel) { SocketPath = socketPath };
    }

    public void Dispose() => _channel.Dispose();
}
