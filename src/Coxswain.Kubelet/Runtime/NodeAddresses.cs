using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Coxswain.Kubelet.Runtime;

/// <summary>The node's InternalIP when none is given: the first IPv4 address of an interface that is up and not loopback.</summary>
public static class NodeAddresses
{
    public static string DefaultInternalIp() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)?.ToString() ?? "127.0.0.1";
}
