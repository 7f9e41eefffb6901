using System.Globalization;
using k8s.Models;

namespace Coxswain.Kubelet.Node;

/// <summary>Byte counts as canonical binary-SI quantities ("16384Ki", "1Gi"), as upstream serialises them.</summary>
internal static class Quantities
{
    private static readonly string[] Suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

    public static ResourceQuantity Bytes(long bytes)
    {
        var value = bytes;
        var i = 0;
        while (value != 0 && value % 1024 == 0 && i < Suffixes.Length - 1)
        {
            value /= 1024;
            i++;
        }
        return new ResourceQuantity(value.ToString(CultureInfo.InvariantCulture) + Suffixes[i]);
    }

    public static ResourceQuantity Count(long n) => new(n.ToString(CultureInfo.InvariantCulture));

    /// <summary>Milli-cores as upstream prints them: whole cores without a suffix, else "1500m".</summary>
    public static ResourceQuantity MilliCpu(long milli) =>
        new(milli % 1000 == 0 ? (milli / 1000).ToString(CultureInfo.InvariantCulture) : milli.ToString(CultureInfo.InvariantCulture) + "m");
}
