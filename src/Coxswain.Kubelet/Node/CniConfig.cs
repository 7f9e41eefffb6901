using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Coxswain.Kubelet.Node;

/// <summary>
/// The node's pod network as containerd's CRI plugin reads it: one conflist with the bridge plugin (bridge cox0,
/// the node is the pods' gateway and masquerades their traffic out) and host-local IPAM over the node's podCIDR,
/// then portmap for hostPort. containerd picks it up without a restart; until it exists, the runtime reports
/// NetworkReady=false and the node stays NotReady.
/// </summary>
public static class CniConfig
{
    public const string FileName = "10-cox.conflist";
    public const string NetworkName = "cox";
    public const string Bridge = "cox0";

    /// <summary>Writes (atomically) the conflist for <paramref name="podCidr"/> and returns its path.</summary>
    public static string Write(string confDir, string ipamDataDir, string podCidr)
    {
        Directory.CreateDirectory(confDir);
        Directory.CreateDirectory(ipamDataDir);
        var path = Path.Combine(confDir, FileName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, Render(ipamDataDir, podCidr));
        File.Move(temp, path, overwrite: true);
        return path;
    }

    public static string Render(string ipamDataDir, string podCidr)
    {
        var (network, prefix) = Parse(podCidr);
        var config = new JsonObject
        {
            ["cniVersion"] = "1.0.0",
            ["name"] = NetworkName,
            ["plugins"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "bridge",
                    ["bridge"] = Bridge,
                    ["isGateway"] = true,
                    ["ipMasq"] = false, // one rule for the whole pod CIDR instead (PodMasquerade)
                    ["hairpinMode"] = true,
                    ["ipam"] = new JsonObject
                    {
                        ["type"] = "host-local",
                        ["dataDir"] = ipamDataDir,
                        ["ranges"] = new JsonArray { new JsonArray { new JsonObject { ["subnet"] = $"{network}/{prefix}", ["gateway"] = Gateway(network).ToString() } } },
                        ["routes"] = new JsonArray { new JsonObject { ["dst"] = "0.0.0.0/0" } },
                    },
                },
                new JsonObject { ["type"] = "portmap", ["capabilities"] = new JsonObject { ["portMappings"] = true } },
            },
        };
        return config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>An IPv4 CIDR with its host bits cleared; throws on anything else (a /31 or /32 leaves no pod address).</summary>
    private static (IPAddress Network, int Prefix) Parse(string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(parts[1], out var prefix) || prefix is < 0 or > 30)
        {
            throw new ArgumentException($"not an IPv4 pod CIDR with room for pods: {cidr}", nameof(cidr));
        }
        var bytes = ip.GetAddressBytes();
        var value = (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (ToAddress(value & mask), prefix);
    }

    /// <summary>The first host address (.1 of a /24) is the bridge's, the pods' default gateway.</summary>
    private static IPAddress Gateway(IPAddress network)
    {
        var b = network.GetAddressBytes();
        return ToAddress(((uint)b[0] << 24 | (uint)b[1] << 16 | (uint)b[2] << 8 | b[3]) + 1);
    }

    private static IPAddress ToAddress(uint v) => new([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
}
