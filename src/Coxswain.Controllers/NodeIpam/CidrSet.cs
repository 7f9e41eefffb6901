using System.Collections;
using System.Net;
using System.Net.Sockets;

namespace Coxswain.Controllers.NodeIpam;

/// <summary>
/// Upstream's cidrset: a cluster IPv4 range cut into equal node subnets, a bit per subnet. Allocation takes the
/// next free subnet after the last one handed out (wrapping), so a subnet just released is not reused at once
/// while others are free. Occupying a CIDR of another size marks every subnet it overlaps.
/// </summary>
internal sealed class CidrSet
{
    // Upstream refuses more than 2^16 subnets per cluster CIDR.
    private const int MaxSubnetBits = 16;

    private readonly uint _base;
    private readonly int _clusterPrefix;
    private readonly int _nodePrefix;
    private readonly BitArray _used;
    private int _nextCandidate;

    public CidrSet(string clusterCidr, int nodePrefix)
    {
        (_base, _clusterPrefix) = Parse(clusterCidr);
        if (nodePrefix < _clusterPrefix || nodePrefix > 32)
        {
            throw new ArgumentException($"node CIDR mask size {nodePrefix} must be between the cluster CIDR's ({_clusterPrefix}) and 32");
        }
        if (nodePrefix - _clusterPrefix > MaxSubnetBits)
        {
            throw new ArgumentException($"node CIDR mask size {nodePrefix} cuts {clusterCidr} into more than 2^{MaxSubnetBits} subnets");
        }
        _nodePrefix = nodePrefix;
        _used = new BitArray(1 << (nodePrefix - _clusterPrefix));
    }

    public int Capacity => _used.Length;
    public int Allocated { get; private set; }

    /// <summary>The next free node subnet, or null when every one is taken.</summary>
    public string? AllocateNext()
    {
        for (var i = 0; i < _used.Length; i++)
        {
            var candidate = (_nextCandidate + i) % _used.Length;
            if (!_used[candidate])
            {
                _used[candidate] = true;
                Allocated++;
                _nextCandidate = (candidate + 1) % _used.Length;
                return Format(_base + ((uint)candidate << (32 - _nodePrefix)), _nodePrefix);
            }
        }
        return null;
    }

    /// <summary>Marks the subnets <paramref name="cidr"/> overlaps as taken; false when it is outside the cluster range.</summary>
    public bool Occupy(string cidr) => Mark(cidr, used: true);

    /// <summary>Frees the subnets <paramref name="cidr"/> overlaps; false when it is outside the cluster range.</summary>
    public bool Release(string cidr) => Mark(cidr, used: false);

    private bool Mark(string cidr, bool used)
    {
        if (Indices(cidr) is not var (first, last))
        {
            return false;
        }
        for (var i = first; i <= last; i++)
        {
            if (_used[i] != used)
            {
                _used[i] = used;
                Allocated += used ? 1 : -1;
            }
        }
        return true;
    }

    /// <summary>The first and last subnet index <paramref name="cidr"/> covers, or null if it misses the cluster range.</summary>
    private (int First, int Last)? Indices(string cidr)
    {
        if (!TryParse(cidr, out var ip, out var prefix))
        {
            return null;
        }
        var clusterEnd = _base + (uint)((1UL << (32 - _clusterPrefix)) - 1);
        var start = ip;
        var end = ip + (uint)((1UL << (32 - prefix)) - 1);
        if (end < _base || start > clusterEnd)
        {
            return null;
        }
        start = Math.Max(start, _base);
        end = Math.Min(end, clusterEnd);
        var shift = 32 - _nodePrefix;
        return ((int)((start - _base) >> shift), (int)((end - _base) >> shift));
    }

    private static (uint Network, int Prefix) Parse(string cidr) =>
        TryParse(cidr, out var ip, out var prefix) ? (ip, prefix) : throw new ArgumentException($"not an IPv4 CIDR: {cidr}");

    private static bool TryParse(string cidr, out uint network, out int prefix)
    {
        network = 0;
        prefix = 0;
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(parts[1], out prefix) || prefix is < 0 or > 32)
        {
            return false;
        }
        var b = ip.GetAddressBytes();
        var value = (uint)b[0] << 24 | (uint)b[1] << 16 | (uint)b[2] << 8 | b[3];
        network = prefix == 0 ? 0 : value & (uint.MaxValue << (32 - prefix));
        return true;
    }

    private static string Format(uint v, int prefix) => $"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}/{prefix}";
}
