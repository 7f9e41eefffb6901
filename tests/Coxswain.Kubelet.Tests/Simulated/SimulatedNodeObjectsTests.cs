using Coxswain.Kubelet.Simulated;
using k8s;
using k8s.Models;

namespace Coxswain.Kubelet.Tests.Simulated;

public sealed class SimulatedNodeObjectsTests
{
    [Fact]
    public void TemplateAddsLabelsTaintsAndCapacity()
    {
        var template = KubernetesYaml.Deserialize<V1Node>("""
            apiVersion: v1
            kind: Node
            metadata: {labels: {zone: z1}}
            spec: {taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}
            status: {capacity: {cpu: "64"}}
            """);
        var node = SimulatedNodeObjects.Node(new SimulatedNode("n-3", 3), new SimulatedNodeOptions { Template = template }, DateTime.UtcNow);

        Assert.Equal("z1", node.Metadata.Labels["zone"]);
        Assert.Equal("n-3", node.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("dedicated", node.Spec.Taints.Single().Key);
        Assert.Equal("64", node.Status.Allocatable["cpu"].ToString());
        Assert.Equal("32Gi", node.Status.Capacity["memory"].ToString());
        Assert.Equal("10.64.0.4", node.Status.Addresses.Single(a => a.Type == "InternalIP").Address);
    }

    [Fact]
    public void PodAddressesComeFromTheNodesRange()
    {
        var node = new SimulatedNode("n-1", 1);
        Assert.Equal("10.128.1.0/24", node.PodCidr);
        Assert.Equal("10.128.1.2", node.NextPodIp());
        Assert.Equal("10.128.1.3", node.NextPodIp());
    }
}
