using Coxswain.ApiServer.Tests.Harness;
using k8s;
using k8s.Models;

namespace Coxswain.ApiServer.Tests.Kubectl;

public sealed partial class KubectlWatchTests
{
    [Fact]
    public async Task Wait_times_out_with_an_error()
    {
        var ns = await Server.NewNamespaceAsync();
        using var client = Server.Client();
        await client.CoreV1.CreateNamespacedConfigMapAsync(TestObjects.ConfigMap("a"), ns);
        var r = await Kubectl.RunAsync($"wait --for=delete configmap/a -n {ns} --timeout=2s");
        Assert.Equal(1, r.ExitCode);
        // kubectl may log a klog line (its reflector's watch cut by the timeout) before its error: the error is the last line.
        Assert.EndsWith("error: timed out waiting for the condition on configmaps/a\n", r.Stderr);
    }
}
