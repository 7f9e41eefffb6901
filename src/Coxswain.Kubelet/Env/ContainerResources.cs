using k8s.Models;

namespace Coxswain.Kubelet.Env;

/// <summary>
/// resourceFieldRef values (upstream's ExtractContainerResourceValue): the container's limit or request divided by
/// the divisor (default 1) and rounded up; a limit the container does not set is the node's allocatable amount.
/// </summary>
internal static class ContainerResources
{
    private static readonly string[] DefaultedLimits = ["cpu", "memory", "ephemeral-storage"];

    public static string Value(V1ResourceFieldSelector selector, V1Container container, IReadOnlyDictionary<string, ResourceQuantity> nodeAllocatable)
    {
        var divisor = selector.Divisor is { } d && d.ToDecimal() != 0 ? d.ToDecimal() : 1m;
        var (kind, resource) = Split(selector.Resource);
        var quantity = kind switch
        {
            "limits" => LimitOf(container, resource, nodeAllocatable),
            "requests" => container.Resources?.Requests is { } r && r.TryGetValue(resource, out var q) ? q.ToDecimal() : 0m,
            _ => throw Unsupported(selector.Resource),
        };
        return resource switch
        {
            // CPU compares milli-units, the others whole units, both rounded up first as Quantity.MilliValue/Value do.
            "cpu" => CeilDiv(Math.Ceiling(quantity * 1000), Math.Ceiling(divisor * 1000)),
            "memory" or "ephemeral-storage" => CeilDiv(Math.Ceiling(quantity), Math.Ceiling(divisor)),
            _ when resource.StartsWith("hugepages-", StringComparison.Ordinal) => CeilDiv(Math.Ceiling(quantity), Math.Ceiling(divisor)),
            _ => throw Unsupported(selector.Resource),
        };
    }

    private static decimal LimitOf(V1Container container, string resource, IReadOnlyDictionary<string, ResourceQuantity> nodeAllocatable)
    {
        if (container.Resources?.Limits is { } limits && limits.TryGetValue(resource, out var limit))
        {
            return limit.ToDecimal();
        }
        return DefaultedLimits.Contains(resource) && nodeAllocatable.TryGetValue(resource, out var allocatable) ? allocatable.ToDecimal() : 0m;
    }

    private static string CeilDiv(decimal value, decimal divisor) =>
        ((long)Math.Ceiling(value / divisor)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static (string Kind, string Resource) Split(string resource)
    {
        var dot = resource.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? ("", resource) : (resource[..dot], resource[(dot + 1)..]);
    }

    private static ContainerConfigException Unsupported(string resource) => new($"unsupported container resource : {resource}");
}
