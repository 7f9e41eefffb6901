using k8s.Models;

namespace Coxswain.Scheduler.Framework;

/// <summary>
/// Upstream's resourcehelper.PodRequests: max(sum of app containers + sidecars, each init container
/// plus the sidecars started before it), plus pod overhead.
/// </summary>
public static class PodRequests
{
    /// <summary>Defaults that scoring assumes for containers without a cpu/memory request (100m, 200Mi).</summary>
    public const long DefaultMilliCpuRequest = 100;
    public const long DefaultMemoryRequest = 200L * 1024 * 1024;

    /// <summary>Computes the pod's requests; with <paramref name="nonZero"/> missing cpu/memory requests count as the defaults.</summary>
    public static Resource Compute(V1Pod pod, bool nonZero)
    {
        var spec = pod.Spec;
        var reqs = new Resource();
        if (spec == null) return reqs;
        if (spec.Containers != null)
            foreach (var c in spec.Containers) AddContainer(reqs, c, nonZero);

        if (spec.InitContainers is { Count: > 0 } inits)
        {
            var sidecars = new Resource();
            var initMax = new Resource();
            foreach (var c in inits)
            {
                var cr = new Resource();
                AddContainer(cr, c, nonZero);
                if (c.RestartPolicy == "Always")
                {
                    // A sidecar keeps running next to the app containers and the later init containers.
                    reqs.Add(cr);
                    sidecars.Add(cr);
                    cr = sidecars.Clone();
                }
                else
                {
                    cr.Add(sidecars);
                }
                Max(initMax, cr);
            }
            Max(reqs, initMax);
        }

        if (spec.Overhead != null)
            foreach (var (name, q) in spec.Overhead)
                AddOne(reqs, name, Resource.Quantity(name, q));
        return reqs;
    }

    private static void AddContainer(Resource r, V1Container c, bool nonZero)
    {
        var requests = c.Resources?.Requests;
        bool hasCpu = false, hasMem = false;
        if (requests != null)
        {
            foreach (var (name, q) in requests)
            {
                if (name == Resource.Cpu) hasCpu = true;
                else if (name == Resource.MemoryName) hasMem = true;
                AddOne(r, name, Resource.Quantity(name, q));
            }
        }
        if (nonZero)
        {
            if (!hasCpu) r.MilliCpu += DefaultMilliCpuRequest;
            if (!hasMem) r.Memory += DefaultMemoryRequest;
        }
    }

    private static void AddOne(Resource r, string name, long v)
    {
        switch (name)
        {
            case Resource.Cpu: r.MilliCpu += v; break;
            case Resource.MemoryName: r.Memory += v; break;
            case Resource.EphemeralStorageName: r.EphemeralStorage += v; break;
            default:
                if (Resource.IsScalar(name))
                {
                    r.Scalar ??= new(StringComparer.Ordinal);
                    r.Scalar[name] = r.Scalar.GetValueOrDefault(name) + v;
                }
                break;
        }
    }

    private static void Max(Resource into, Resource r)
    {
        into.MilliCpu = Math.Max(into.MilliCpu, r.MilliCpu);
        into.Memory = Math.Max(into.Memory, r.Memory);
        into.EphemeralStorage = Math.Max(into.EphemeralStorage, r.EphemeralStorage);
        if (r.Scalar == null) return;
        into.Scalar ??= new(StringComparer.Ordinal);
        foreach (var (k, v) in r.Scalar) into.Scalar[k] = Math.Max(into.Scalar.GetValueOrDefault(k), v);
    }
}
