using System.Net.WebSockets;
using System.Text;

namespace Coxswain.Kubelet.Streaming.Exec;

/// <summary>
/// The WebSocket "channel" subprotocols kubectl speaks for exec and attach: every message is a
/// channel byte (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v5 adds 255 "close") and a
/// payload; the base64 variants send text messages with the channel as an ASCII digit.
/// </summary>
internal sealed record ChannelProtocol(string Name, bool Base64, bool StatusAsJson, bool CanCloseStdin)
{
    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Error = 3;
    public const byte Resize = 4;
    public const byte Close = 255;

    /// <summary>In the order the server prefers them.</summary>
    public static readonly IReadOnlyList<ChannelProtocol> Supported =
    [
        new("v5.channel.k8s.io", false, true, true),
        new("v4.channel.k8s.io", false, true, false),
        new("v4.base64.channel.k8s.io", true, true, false),
        new("channel.k8s.io", false, false, false),
        new("base64.channel.k8s.io", true, false, false),
    ];

    /// <summary>The first protocol the client offers that is supported (upstream picks in the client's order).</summary>
    public static ChannelProtocol? Negotiate(IEnumerable<string> offered)
    {
        foreach (var name in offered)
        {
            foreach (var protocol in Supported)
            {
                if (string.Equals(protocol.Name, name.Trim(), StringComparison.Ordinal))
                {
                    return protocol;
                }
            }
        }
        return null;
    }

    public (WebSocketMessageType Type, byte[] Bytes) Encode(byte channel, ReadOnlySpan<byte> payload)
    {
        if (Base64)
        {
            return (WebSocketMessageType.Text, Encoding.ASCII.GetBytes((char)('0' + channel) + Convert.ToBase64String(payload)));
        }
        var bytes = new byte[payload.Length + 1];
        bytes[0] = channel;
        payload.CopyTo(bytes.AsSpan(1));
        return (WebSocketMessageType.Binary, bytes);
    }

    /// <summary>A client message as channel and payload; null for an empty or malformed one.</summary>
    public (byte Channel, byte[] Payload)? Decode(ReadOnlySpan<byte> message)
    {
        if (message.Length == 0)
        {
            return null;
        }
        if (!Base64)
        {
            return (message[0], message[1..].ToArray());
        }
        var channel = message[0] - (byte)'0';
        if (channel is < 0 or > 9)
        {
            return null;
        }
        try
        {
            return ((byte)channel, Convert.FromBase64String(Encoding.ASCII.GetString(message[1..])));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
