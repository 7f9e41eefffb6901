using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Client;

/// <summary>What the server fills in on create (upstream defaulting and registry strategies).</summary>
public sealed partial class DefaultsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private CoxServer Server => fixture.Server;

    [Fact]
    public async Task Pod_status_starts_pending_with_a_qos_class()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        var pod = TestObjects.Pod("p");
        pod.Status = new V1PodStatus { Phase = "Running", PodIP = "10.0.0.9" };
        var made = await client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        Assert.Equal("Pending", made.Status?.Phase);
        Assert.Null(made.Status?.PodIP);
        Assert.Equal("BestEffort", made.Status?.QosClass);
    }
}
