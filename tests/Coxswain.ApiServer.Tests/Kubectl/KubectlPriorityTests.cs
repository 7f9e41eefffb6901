using Coxswain.ApiServer.Tests.Harness;

namespace Coxswain.ApiServer.Tests.Kubectl;

/// <summary>Priority admission: pods take priority and preemption policy from their PriorityClass.</summary>
public sealed class KubectlPriorityTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    private Harness.Kubectl Kubectl => fixture.Kubectl;

    private static string Pod(string name, string extraSpec = "") =>
        $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n{extraSpec}  containers:\n  - name: c\n    image: busybox\n";

    private static string PriorityClass(string name, int value, bool globalDefault = false, string? policy = null) =>
        $"apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: {name}\nvalue: {value}\nglobalDefault: {(globalDefault ? "true" : "false")}\n"
        + (policy == null ? "" : $"preemptionPolicy: {policy}\n");

    [Fact]
    public async Task Pods_take_their_classes_priority_and_unknown_classes_are_forbidden()
    {
        var ns = await Server.NewNamespaceAsync();
        var high = "high-" + Guid.NewGuid().ToString("N")[..6];
        await Kubectl.OkAsync("create -f -", PriorityClass(high, 1000, policy: "Never"));

        await Kubectl.OkAsync($"create -n {ns} -f -", Pod("important", $"  priorityClassName: {high}\n"));
        Assert.Equal("1000", await Kubectl.OkAsync($"get pod important -n {ns} -o jsonpath={{.spec.priority}}"));
        Assert.Equal("Never", await Kubectl.OkAsync($"get pod important -n {ns} -o jsonpath={{.spec.preemptionPolicy}}"));

        await Kubectl.OkAsync($"create -n {ns} -f -", Pod("critical", "  priorityClassName: system-node-critical\n"));
        Assert.Equal("2000001000", await Kubectl.OkAsync($"get pod critical -n {ns} -o jsonpath={{.spec.priority}}"));

        var unknown = await Kubectl.RunAsync($"create -n {ns} -f -", Pod("lost", "  priorityClassName: nope\n"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("pods \"lost\" is forbidden: no PriorityClass with name nope was found", unknown.Stderr);

        var given = await Kubectl.RunAsync($"create -n {ns} -f -", Pod("pushy", $"  priorityClassName: {high}\n  priority: 5\n"));
        Assert.Equal(1, given.ExitCode);
        Assert.Contains("the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name", given.Stderr);
    }

    [Fact]
    public async Task The_global_default_class_applies_to_pods_without_one_and_only_one_may_exist()
    {
        var ns = await Server.NewNamespaceAsync();
        await Kubectl.OkAsync($"create -n {ns} -f -", Pod("before"));
        Assert.Equal("0", await Kubectl.OkAsync($"get pod before -n {ns} -o jsonpath={{.spec.priority}}"));

        await Kubectl.OkAsync("create -f -", PriorityClass("everyone", 7, globalDefault: true));
        try
        {
            await Kubectl.OkAsync($"create -n {ns} -f -", Pod("after"));
            Assert.Equal("everyone", await Kubectl.OkAsync($"get pod after -n {ns} -o jsonpath={{.spec.priorityClassName}}"));
            Assert.Equal("7", await Kubectl.OkAsync($"get pod after -n {ns} -o jsonpath={{.spec.priority}}"));

            var second = await Kubectl.RunAsync("create -f -", PriorityClass("also-everyone", 9, globalDefault: true));
            Assert.Equal(1, second.ExitCode);
            Assert.Contains("PriorityClass everyone is already marked as default. Only one default can exist", second.Stderr);
        }
        finally
        {
            await Kubectl.OkAsync("delete priorityclass everyone");
        }
    }
}
