namespace Coxswain.Controllers.NodeIpam;

/// <summary>kube-controller-manager's --cluster-cidr and --node-cidr-mask-size (k3s's defaults).</summary>
public sealed record NodeIpamOptions
{
    /// <summary>The range pod CIDRs are cut from; empty turns allocation off (upstream's --allocate-node-cidrs=false).</summary>
    public string ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>Prefix length of each node's pod CIDR: a /24 gives a node 254 pod addresses.</summary>
    public int NodeCidrMaskSize { get; init; } = 24;

    /// <summary>Why these options cannot work (a bad range, a mask outside it), or null when they can.</summary>
    public string? Problem()
    {
        if (ClusterCidr.Length == 0)
        {
            return null;
        }
        try
        {
            _ = new CidrSet(ClusterCidr, NodeCidrMaskSize);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
