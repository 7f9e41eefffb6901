using Coxswain.Kubelet.Tests.RealNode;
using CoxDll = Coxswain.ApiServer.Tests.Harness.CoxServer;

namespace Coxswain.Kubelet.Tests.Images;

/// <summary>The seed's path end to end: code -> `cox image build` -> the server's local registry -> a Deployment, on a real node in a test namespace.</summary>
public sealed class BuiltImageDeploymentTests(RealCluster cluster) : IClassFixture<RealCluster>
{
    [Fact]
    public async Task ADeploymentOfAnImageBuiltFromAContainerfileReachesRunning()
    {
        var host = cluster.Host;
        var context = Path.Combine(host.HarnessDir, "app");
        Directory.CreateDirectory(context);
        await File.WriteAllTextAsync(Path.Combine(context, "hello.txt"), "hello from the build context\n");
        await File.WriteAllTextAsync(Path.Combine(context, "Containerfile"), """
            FROM busybox
            COPY hello.txt /app/hello.txt
            RUN echo "built by RUN" > /app/run.txt
            WORKDIR /app
            ENV GREETING=hi
            CMD ["sh", "-c", "echo $GREETING from $(pwd); cat hello.txt run.txt; exec sleep 3600"]
            """);

        // No --registry: `cox image build` finds the registry the server records in its data dir.
        var build = await host.ExecInNetnsAsync($"dotnet {CoxDll.CoxDll} image build -t myapp:1 --data-dir {host.DataDir} {context}", TimeSpan.FromMinutes(5));
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("Pushed docker.io/library/myapp:1", build.Stdout);

        var ns = await cluster.NamespaceAsync("built");
        await cluster.Kubectl.OkAsync($"-n {ns} create deployment myapp --image=myapp:1");
        await cluster.WaitAsync(async () =>
            (await cluster.Kubectl.RunAsync($"-n {ns} get deployment myapp -o jsonpath={{.status.availableReplicas}}")).Stdout.Trim() == "1", "deployment myapp available");
        var image = await cluster.Kubectl.OkAsync($"-n {ns} get pods -l app=myapp -o jsonpath={{.items[0].status.containerStatuses[0].image}}");
        Assert.Equal("docker.io/library/myapp:1", image.Trim());

        // The container's CRI log file (kubectl logs is the streaming part's): "<time> stdout F <line>" per line.
        var logFiles = $"{host.DataDir}/agent/logs/pods/{ns}_myapp-*/myapp/0.log";
        string[] lines = [];
        await cluster.WaitAsync(async () =>
        {
            var log = await host.ExecInServerNamespacesAsync($"cat {logFiles}");
            lines = log.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ').Skip(3))).ToArray();
            return lines.Length >= 3;
        }, "log of myapp");
        Assert.Equal(["hi from /app", "hello from the build context", "built by RUN"], lines);
    }
}
