using Coxswain.Kubelet.Pods;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Pods;

/// <summary>The pod-level cgroup values, as upstream's ResourceConfigForPod computes them.</summary>
public sealed class PodCgroupsTests
{
    private static V1Container Container(string name, string? cpu = null, string? memory = null, string? cpuRequest = null, bool sidecar = false)
    {
        var limits = new Dictionary<string, ResourceQuantity>();
        if (cpu != null)
        {
            limits["cpu"] = new ResourceQuantity(cpu);
        }
        if (memory != null)
        {
            limits["memory"] = new ResourceQuantity(memory);
        }
        return new V1Container
        {
            Name = name,
            RestartPolicy = sidecar ? "Always" : null,
            Resources = new V1ResourceRequirements
            {
                Limits = limits,
                Requests = cpuRequest == null ? null : new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpuRequest) },
            },
        };
    }

    [Fact]
    public void AppContainersAndSidecarsAddUpAndAnInitContainerCountsAlone()
    {
        var spec = new V1PodSpec
        {
            InitContainers = [Container("proxy", "100m", "16Mi", sidecar: true), Container("setup", "2", "1Gi")],
            Containers = [Container("a", "200m", "64Mi"), Container("b", "300m", "32Mi")],
        };
        // setup (2 CPU, 1Gi) beside the proxy started before it outweighs the app containers and the proxy.
        Assert.Equal((2100L, 2100L, (long?)(1024 + 16) * 1024 * 1024), PodCgroups.PodTotals(spec));

        spec.InitContainers = [Container("proxy", "100m", "16Mi", sidecar: true)];
        Assert.Equal((600L, 600L, (long?)(64 + 32 + 16) * 1024 * 1024), PodCgroups.PodTotals(spec));
    }

    [Fact]
    public void AContainerWithoutALimitLeavesThePodUnlimited()
    {
        var spec = new V1PodSpec { Containers = [Container("a", "200m", "64Mi"), Container("b", cpuRequest: "250m")] };
        Assert.Equal((450L, (long?)null, (long?)null), PodCgroups.PodTotals(spec));
    }
}
