using System.Globalization;
using k8s.Models;

namespace Coxswain.Api.Validation;

/// <summary>Arithmetic on resource quantities as validation and defaulting need it.</summary>
public static class Quantities
{
    /// <summary>The value as a decimal; very large values (beyond decimal range) saturate.</summary>
    public static decimal Value(ResourceQuantity? q)
    {
        if (q == null)
        {
            return 0;
        }
        try
        {
            return q.ToDecimal();
        }
        catch (OverflowException)
        {
            return q.ToDouble() < 0 ? decimal.MinValue : decimal.MaxValue;
        }
    }

    public static int Compare(ResourceQuantity? a, ResourceQuantity? b) => Value(a).CompareTo(Value(b));

    public static int Sign(ResourceQuantity? q) => Math.Sign(Value(q));

    /// <summary>True when the quantity is a whole number (no milli part).</summary>
    public static bool IsInteger(ResourceQuantity? q) => decimal.Truncate(Value(q)) == Value(q);

    /// <summary>The string form used in messages (the canonical form, as Go's Quantity.String()).</summary>
    public static string Show(ResourceQuantity? q) => q?.ToString() ?? "0";

    /// <summary>
    /// Rounds a quantity up to milli precision (upstream's SetDefaults_ResourceList); returns the same
    /// instance when nothing needs rounding.
    /// </summary>
    public static ResourceQuantity RoundUpToMilli(ResourceQuantity q)
    {
        var v = Value(q);
        var milli = v * 1000m;
        if (decimal.Truncate(milli) == milli)
        {
            return q;
        }
        var up = decimal.Ceiling(milli);
        return new ResourceQuantity(up % 1000m == 0
            ? (up / 1000m).ToString("0", CultureInfo.InvariantCulture)
            : up.ToString("0", CultureInfo.InvariantCulture) + "m");
    }

    /// <summary>Rounds every quantity of a resource list up to milli precision, in place.</summary>
    public static void RoundUpToMilli(IDictionary<string, ResourceQuantity>? list)
    {
        if (list == null)
        {
            return;
        }
        foreach (var key in list.Keys.ToList())
        {
            if (list[key] is { } q)
            {
                list[key] = RoundUpToMilli(q);
            }
        }
    }
}
