using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Coxswain.Kubelet.Tests.Harness;

/// <summary>
/// Creates TCP sockets inside a named network namespace (/run/netns/NAME) so that in-process clients
/// (the C# Kubernetes client, HttpClient) reach addresses that exist only there. A socket keeps the
/// namespace it was created in, so only its creation needs to happen inside: on a dedicated thread,
/// because setns(2) switches the calling thread only and a pool thread must never be left in there.
/// </summary>
internal sealed class NetnsSockets : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC

    // The test process's own namespace, opened once: every socket thread returns to it.
    private static readonly Lazy<int> OriginalNetns = new(() => OpenOrThrow("/proc/self/ns/net"));

    private readonly int _netnsFd;

    public NetnsSockets(string netnsName)
    {
        _ = OriginalNetns.Value;
        _netnsFd = OpenOrThrow($"/run/netns/{netnsName}");
    }

    /// <summary>A handler whose connections are made from inside the namespace.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler();
        Attach(handler);
        return handler;
    }

    public void Attach(SocketsHttpHandler handler) => handler.ConnectCallback = ConnectAsync;

    /// <summary>For SocketsHttpHandler.ConnectCallback: IP literals and "localhost" only (no DNS inside).</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(ResolveLiteral(context.DnsEndPoint), cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    public async Task<Socket> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var socket = CreateSocket(endpoint.AddressFamily);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(endpoint, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Socket CreateSocket(AddressFamily family)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                SetNetns(_netnsFd);
                try
                {
                    socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
                }
                finally
                {
                    SetNetns(OriginalNetns.Value);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true, Name = "netns-socket" };
        thread.Start();
        thread.Join();
        if (failure != null)
        {
            socket?.Dispose();
            throw new IOException("could not create a socket in the network namespace", failure);
        }
        return socket!;
    }

    private static IPEndPoint ResolveLiteral(DnsEndPoint endpoint)
    {
        if (IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var address))
        {
            return new IPEndPoint(address, endpoint.Port);
        }
        if (endpoint.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, endpoint.Port);
        }
        // Resolving a name would ask the root namespace's resolver: not what a test inside expects.
        throw new ArgumentException($"only IP addresses work inside a test network namespace, not {endpoint.Host}");
    }

    private static void SetNetns(int fd)
    {
        if (setns(fd, CloneNewNet) != 0)
        {
            throw new IOException($"setns failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static int OpenOrThrow(string path)
    {
        var fd = open(path, ReadOnlyCloseOnExec);
        return fd >= 0 ? fd : throw new IOException($"cannot open {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    public void Dispose() => close(_netnsFd);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    [DllImport("libc")]
    private static extern int close(int fd);
}
