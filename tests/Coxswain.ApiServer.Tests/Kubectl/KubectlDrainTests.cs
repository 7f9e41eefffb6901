using System.Net;
using System.Text;
using Coxswain.ApiServer.Tests.Harness;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>cordon, uncordon and drain through the pods/eviction subresource, with and without a PodDisruptionBudget.</summary>
public sealed class KubectlDrainTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    private async Task<string> NodeAsync()
    {
        var node = "node-" + Guid.NewGuid().ToString("N")[..6];
        await Kubectl.OkAsync("create -f -", $"apiVersion: v1\nkind: Node\nmetadata:\n  name: {node}\n");
        return node;
    }

    /// <summary>A pod bound to the node and Running and Ready, as a kubelet would report it.</summary>
    private async Task RunningPodAsync(string ns, string node, string name, string app)
    {
        await Kubectl.OkAsync($"create -n {ns} -f -",
            $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels:\n    app: {app}\nspec:\n  nodeName: {node}\n  containers:\n  - name: c\n    image: busybox\n");
        await PatchStatusAsync(ns, "pod", name, "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
    }

    private async Task PatchStatusAsync(string ns, string kind, string name, string patch)
    {
        var r = await Kubectl.RunArgsAsync(["patch", kind, name, "-n", ns, "--subresource=status", "--type=merge", "-p", patch]);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [Fact]
    public async Task Cordon_and_uncordon_switch_scheduling_off_and_on()
    {
        var node = await NodeAsync();
        Assert.Equal($"node/{node} cordoned\n", (await Kubectl.RunAsync($"cordon {node}")).Stdout);
        Assert.Equal("true", await Kubectl.OkAsync($"get node {node} -o jsonpath={{.spec.unschedulable}}"));
        Assert.Contains("SchedulingDisabled", await Kubectl.OkAsync($"get node {node} --no-headers"));
        Assert.Equal($"node/{node} uncordoned\n", (await Kubectl.RunAsync($"uncordon {node}")).Stdout);
        Assert.Equal("", await Kubectl.OkAsync($"get node {node} -o jsonpath={{.spec.unschedulable}}"));
    }

    [Fact]
    public async Task Drain_cordons_the_node_and_evicts_its_pods()
    {
        var ns = await Server.NewNamespaceAsync();
        var node = await NodeAsync();
        var other = await NodeAsync();
        await RunningPodAsync(ns, node, "a", "web");
        await RunningPodAsync(ns, node, "b", "web");
        await RunningPodAsync(ns, other, "elsewhere", "web");

        var r = await Kubectl.RunAsync($"drain {node} --force --grace-period=0 --timeout=60s");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"node/{node} cordoned", r.Stdout);
        Assert.Contains($"pod/a evicted", r.Stdout);
        Assert.Contains($"pod/b evicted", r.Stdout);
        Assert.Contains($"node/{node} drained", r.Stdout);
        Assert.Equal("pod/elsewhere", (await Kubectl.OkAsync($"get pods -n {ns} -o name")).Trim());
        Assert.Equal("true", await Kubectl.OkAsync($"get node {node} -o jsonpath={{.spec.unschedulable}}"));
    }

    [Fact]
    public async Task A_disruption_budget_blocks_eviction_until_it_allows_one()
    {
        var ns = await Server.NewNamespaceAsync();
        var node = await NodeAsync();
        await RunningPodAsync(ns, node, "guarded", "db");
        await Kubectl.OkAsync($"create -n {ns} -f -",
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: db\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: db\n");

        // No disruption controller has looked at the budget yet: every eviction is refused (429) and drain gives up.
        var blocked = await Kubectl.RunAsync($"drain {node} --force --grace-period=0 --timeout=6s");
        Assert.Equal(1, blocked.ExitCode);
        Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget.", blocked.Stderr);
        Assert.Equal("pod/guarded", (await Kubectl.OkAsync($"get pods -n {ns} -o name")).Trim());

        // The budget allows one disruption: the eviction spends it and names the pod.
        await PatchStatusAsync(ns, "pdb", "db", "{\"status\":{\"observedGeneration\":1,\"disruptionsAllowed\":1,\"currentHealthy\":1,\"desiredHealthy\":1,\"expectedPods\":1}}");
        var drained = await Kubectl.RunAsync($"drain {node} --force --grace-period=0 --timeout=60s");
        Assert.True(drained.ExitCode == 0, drained.ToString());
        Assert.Equal("", await Kubectl.OkAsync($"get pods -n {ns} -o name"));
        Assert.Equal("0", await Kubectl.OkAsync($"get pdb db -n {ns} -o jsonpath={{.status.disruptionsAllowed}}"));
        Assert.NotEqual("", await Kubectl.OkAsync($"get pdb db -n {ns} -o jsonpath={{.status.disruptedPods.guarded}}"));
    }

    [Fact]
    public async Task Eviction_of_a_missing_pod_or_with_a_different_name_is_refused()
    {
        var ns = await Server.NewNamespaceAsync();
        using var http = Server.Http();
        static StringContent Eviction(string name, string ns) => new(
            $"{{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{ns}\"}}}}", Encoding.UTF8, "application/json");

        var missing = await http.PostAsync($"/api/v1/namespaces/{ns}/pods/ghost/eviction", Eviction("ghost", ns));
        var missingBody = await missing.Content.ReadAsStringAsync();
        Assert.True(missing.StatusCode == HttpStatusCode.NotFound, missingBody);
        Assert.Equal("pods \"ghost\" not found", System.Text.Json.Nodes.JsonNode.Parse(missingBody)!["message"]!.GetValue<string>());

        var mismatch = await http.PostAsync($"/api/v1/namespaces/{ns}/pods/ghost/eviction", Eviction("other", ns));
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Contains("name in URL does not match name in Eviction object", await mismatch.Content.ReadAsStringAsync());
    }
}
