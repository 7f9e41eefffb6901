using System.Globalization;
using Coxswain.Kubelet.Runtime;
using Coxswain.Kubelet.Tests.Harness;

namespace Coxswain.Kubelet.Tests.RealNode;

/// <summary>A chatty container's log is rotated by `cox agent --container-log-max-size`; `kubectl logs -f` follows it across rotations.</summary>
public sealed class LogRotationOnARealNodeTests
{
    [Fact]
    public async Task AChattyContainersLogIsRotatedCompressedCappedAndFollowedAcrossRotations()
    {
        await using var host = await NodeHost.StartAsync(["--disable-agent"]);
        var kubectl = host.Kubectl();
        host.StartRealAgent("node-1", "--registry", "127.0.0.1:5000", "--container-log-max-size", "4Ki", "--container-log-max-files", "3");
        await host.UntilNodeReadyAsync();
        await kubectl.OkAsync("run chatty --image=busybox --restart=Never -- sh -c 'i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.01; done'");
        await host.UntilPodPhaseAsync("chatty", "Running");
        var uid = (await kubectl.OkAsync("get pod chatty -o jsonpath={.metadata.uid}")).Trim();
        var dir = Path.Combine(new AgentPaths(host.AgentDataDir).PodLogDirectory("default", "chatty", uid), "chatty");
        var log = Path.Combine(dir, "0.log");

        await using var follow = kubectl.Start("logs -f chatty");
        static int Number(string line) => int.Parse(line.Split('-')[1], CultureInfo.InvariantCulture);
        var followed = new List<int> { Number(await follow.ReadLineAsync(TimeSpan.FromSeconds(60))) };

        // Two rotations after the follower began: the one before the current file is compressed by the second.
        int FirstInCurrentFile() => File.ReadLines(log).Select(l => l.Split(' ').Last()).Where(l => l.StartsWith("line-", StringComparison.Ordinal))
            .Select(Number).DefaultIfEmpty(-1).First();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!(Directory.GetFiles(dir).Any(f => f.EndsWith(".gz", StringComparison.Ordinal)) && FirstInCurrentFile() > followed[0]))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no rotation: {string.Join(", ", Directory.GetFiles(dir).Select(Path.GetFileName))}\n{host.Output}");
            followed.Add(Number(await follow.ReadLineAsync(TimeSpan.FromSeconds(30))));
        }
        var files = Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count <= 3, string.Join(", ", files));
        Assert.Matches(@"^0\.log\.\d{8}-\d{6}\.gz$", files[1]);

        // kubectl logs reads the current file, as upstream's does: it starts where the last rotation cut (which
        // may move on while kubectl runs).
        var first = FirstInCurrentFile();
        var shown = Number((await kubectl.OkAsync("logs chatty")).Split('\n')[0]);
        Assert.True(first > 0, "the current file starts at line-" + first);
        Assert.Contains(shown, new[] { first, FirstInCurrentFile() });

        // The follower saw every line, across the rotations, none lost and none twice.
        while (followed[^1] < first + 10)
        {
            followed.Add(Number(await follow.ReadLineAsync(TimeSpan.FromSeconds(30))));
        }
        Assert.Equal(Enumerable.Range(followed[0], followed.Count), followed);
    }
}
