using k8s;
using System.Diagnostics;
using System.Net;
using Coxswain.ApiServer.Tests.Harness;

namespace Coxswain.ApiServer.Tests.Server;

public sealed partial class ServerLifecycleTests
{
    [Fact]
    public async Task Sigterm_stops_the_server_cleanly_and_data_survives_restart()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "cox-restart-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var server = await CoxServer.StartAsync(dataDir);
            await server.Kubectl().OkAsync("create configmap survivor --from-literal=k=v");
            await server.StopAsync();
            Assert.Equal(0, server.ExitCode);
            await server.DisposeAsync();

            await using var again = await CoxServer.StartAsync(dataDir);
            var value = await again.Kubectl().OkAsync("get configmap survivor -o jsonpath={.data.k}");
            Assert.Equal("v", value);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
