using System.Text.Json.Nodes;
using Coxswain.Kubelet.Tests.Harness;

namespace Coxswain.Kubelet.Tests.RealNode;

/// <summary>A real node whose agent comes back with a memory threshold it cannot meet: its pods are evicted in upstream's order.</summary>
public sealed class EvictionOnARealNodeTests
{
    [Fact]
    public async Task UnderMemoryPressureTheBestEffortPodGoesFirstAndNewBestEffortPodsAreRefused()
    {
        await using var host = await NodeHost.StartAsync(["--disable-agent"]);
        var kubectl = host.Kubectl();
        var agent = host.StartRealAgent("node-1", "--registry", "127.0.0.1:5000");
        await host.UntilNodeReadyAsync();
        await kubectl.OkAsync("apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: hungry}
            spec:
              containers:
              - {name: hungry, image: busybox, command: ["sleep", "3600"]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: modest}
            spec:
              containers:
              - name: modest
                image: busybox
                command: ["sleep", "3600"]
                resources:
                  requests: {cpu: 100m, memory: 64Mi}
                  limits: {cpu: 100m, memory: 64Mi}
            """);
        await host.UntilPodPhaseAsync("hungry", "Running");
        await host.UntilPodPhaseAsync("modest", "Running");

        // The agent comes back asking for 1000Gi free: the node is under memory pressure from then on.
        await agent.StopAsync();
        host.StartRealAgent("node-1", "--registry", "127.0.0.1:5000", "--eviction-hard", "memory.available<1000Gi");
        await host.UntilAsync(async () => JsonNode.Parse((await kubectl.OkAsync("get node node-1 -o json")))!["status"]!["conditions"]!.AsArray()
            .Any(c => (string?)c!["type"] == "MemoryPressure" && (string?)c["status"] == "True"), "MemoryPressure");

        // The BestEffort pod uses more than it asked for (nothing): it goes first, then the Guaranteed one.
        await host.UntilPodPhaseAsync("hungry", "Failed");
        var hungry = JsonNode.Parse(await kubectl.OkAsync("get pod hungry -o json"))!["status"]!;
        Assert.Equal("Evicted", (string?)hungry["reason"]);
        Assert.StartsWith("The node was low on resource: memory. Threshold quantity: 1000Gi, available: ", (string?)hungry["message"]);
        Assert.Contains("Container hungry was using ", (string?)hungry["message"]);
        var disruption = hungry["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "DisruptionTarget")!;
        Assert.Equal(("True", "TerminationByKubelet"), ((string?)disruption["status"], (string?)disruption["reason"]));
        Assert.Contains("Evicted", await kubectl.OkAsync("get events --field-selector involvedObject.name=hungry,reason=Evicted -o jsonpath={.items[*].reason}"));

        await host.UntilPodPhaseAsync("modest", "Failed");
        var modest = JsonNode.Parse(await kubectl.OkAsync("get pod modest -o json"))!["status"]!;
        Assert.Equal("Evicted", (string?)modest["reason"]);
        DateTime EvictedAt(JsonNode status) => DateTime.Parse((string)status["conditions"]!.AsArray()
            .Single(c => (string?)c!["type"] == "DisruptionTarget")!["lastTransitionTime"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(EvictedAt(hungry) < EvictedAt(modest), $"hungry {EvictedAt(hungry):O}, modest {EvictedAt(modest):O}");

        // The node lifecycle controller keeps the scheduler away with a taint; a pod bound to the node anyway (by
        // nodeName) is refused by the kubelet before anything of it starts.
        await host.UntilAsync(async () => (await kubectl.OkAsync("get node node-1 -o jsonpath={.spec.taints[*].key}")).Contains("node.kubernetes.io/memory-pressure"),
            "the memory-pressure taint");
        await kubectl.OkAsync("apply -f -", """
            apiVersion: v1
            kind: Pod
            metadata: {name: late}
            spec:
              nodeName: node-1
              restartPolicy: Never
              containers:
              - {name: late, image: busybox, command: ["sleep", "3600"]}
            """);
        await host.UntilPodPhaseAsync("late", "Failed");
        var late = JsonNode.Parse(await kubectl.OkAsync("get pod late -o json"))!["status"]!;
        Assert.Equal(("Evicted", "The node had condition: [MemoryPressure]. "), ((string?)late["reason"], (string?)late["message"]));
        Assert.Null(late["containerStatuses"]?.AsArray().FirstOrDefault(c => c!["state"]?["running"] != null));
    }
}
