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
        int FirstInCurrentFile()
        {
            // Between the rename and the runtime's reopen there is no current file for a moment.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return File.ReadLines(log).Select(l => l.Split(' ').Last()).Where(l => l.StartsWith("line-", StringComparison.Ordinal))
                        .Select(Number).DefaultIfEmpty(-1).First();
                }
                catch (FileNotFoundException) when (attempt < 100)
                {
                    Thread.Sleep(50);
                }
            }
        }
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!(Directory.GetFiles(dir).Any(f => f.EndsWith(".gz", StringComparison.Ordinal)) && FirstInCurrentFile() > followed[0]))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no rotation: {string.Join(", ", Directory.GetFiles(dir).Select(Path.GetFileName))}\n{host.Output}");
            followed.Add(Number(await follow.ReadLineAsync(TimeSpan.FromSeconds(30))));
        }
        // Between rotations (which take milliseconds): the current file, one compressed, one plain (maxFiles 3).
        List<string> files = [];
        for (var attempt = 0; attempt < 50; attempt++)
        {
            files = [.. Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];
            if (files.Count == 3 && files[1].EndsWith(".gz", StringComparison.Ordinal))
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(3, files.Count);
        Assert.Matches(@"^0\.log\.\d{8}-\d{6}\.gz$", files[1]);
        Assert.Matches(@"^0\.log\.\d{8}-\d{6}$", files[2]);

        // kubectl logs reads the current file, as upstream's does: it starts where the last rotation cut. A rotation
        // (at most one per 10 s) may cut again while kubectl runs: then the next try is clear of it.
        int first;
        for (var attempt = 0; ; attempt++)
        {
            first = FirstInCurrentFile();
            var shown = (await kubectl.OkAsync("logs chatty")).Split('\n')[0];
            if (first > 0 && first == FirstInCurrentFile())
            {
                Assert.Equal("line-" + first, shown);
                break;
            }
            Assert.True(attempt < 5, "the current file kept changing under kubectl logs");
        }

        // The follower saw every line, across the rotations, none lost and none twice.
        while (followed[^1] < first + 10)
        {
            followed.Add(Number(await follow.ReadLineAsync(TimeSpan.FromSeconds(30))));
        }
        Assert.Equal(Enumerable.Range(followed[0], followed.Count), followed);
    }
}
