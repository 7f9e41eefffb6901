using k8s.Models;

namespace Coxswain.ApiServer.Registry;

/// <summary>The pod QoS class as upstream computes it (status.qosClass).</summary>
internal static class PodQos
{
    private static readonly string[] Tracked = ["cpu", "memory"];

    public static string Classify(V1PodSpec? spec)
    {
        var containers = (spec?.Containers ?? []).Concat(spec?.InitContainers ?? []).ToList();
        var anySet = false;
        var guaranteed = true;
        foreach (var c in containers)
        {
            var requests = c.Resources?.Requests;
            var limits = c.Resources?.Limits;
            foreach (var r in Tracked)
            {
                var hasRequest = requests != null && requests.TryGetValue(r, out var req) && req.ToDecimal() != 0;
                var hasLimit = limits != null && limits.TryGetValue(r, out var lim) && lim.ToDecimal() != 0;
                anySet |= hasRequest || hasLimit;
                if (!hasLimit)
                {
                    guaranteed = false;
                }
                else if (hasRequest && requests![r].ToDecimal() != limits![r].ToDecimal())
                {
                    guaranteed = false;
                }
            }
        }
        if (!anySet)
        {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }
}
