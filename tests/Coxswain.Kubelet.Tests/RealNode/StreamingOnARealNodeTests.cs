namespace Coxswain.Kubelet.Tests.RealNode;

/// <summary>kubectl logs, exec (with stdin and exit codes) and cp against a busybox pod on a real node (containerd).</summary>
public sealed class StreamingOnARealNodeTests(RealCluster cluster) : IClassFixture<RealCluster>
{
    [Fact]
    public async Task LogsExecAndCpReachTheContainer()
    {
        var ns = await cluster.NamespaceAsync("stream");
        await cluster.Kubectl.OkAsync($"-n {ns} run talk --image=busybox --restart=Never -- sh -c 'echo hello; echo oops >&2; sleep 3600'");
        await cluster.WaitForPodAsync(ns, "talk", p => p.Status?.Phase == "Running", "Running");

        var last = "";
        try
        {
            await cluster.WaitAsync(async () =>
            {
                var logs = await cluster.Kubectl.RunAsync($"-n {ns} logs talk");
                last = logs.ToString();
                // stdout and stderr are separate pipes: their order in the log is not fixed.
                return logs.Stdout.Split('\n').Order().SequenceEqual(["", "hello", "oops"]);
            }, "both lines in the log", seconds: 30);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException("last kubectl logs: " + last, e);
        }
        var tail = await cluster.Kubectl.RunAsync($"-n {ns} logs talk --tail=1 --timestamps");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (hello|oops)\n$", tail.Stdout);

        var echo = await cluster.Kubectl.RunAsync($"-n {ns} exec talk -- echo inside");
        Assert.True(echo.ExitCode == 0, echo.ToString());
        Assert.Equal("inside\n", echo.Stdout);

        var fail = await cluster.Kubectl.RunAsync($"-n {ns} exec talk -- sh -c 'exit 5'");
        Assert.Equal(5, fail.ExitCode);

        // stdin must end for `cat` (and `tar xf -` in kubectl cp) to finish: v5 close -> SPDY FIN to containerd.
        var cat = await cluster.Kubectl.RunAsync($"-n {ns} exec -i talk -- cat", stdin: "piped\n", timeout: TimeSpan.FromSeconds(60));
        Assert.True(cat.ExitCode == 0, cat.ToString());
        Assert.Equal("piped\n", cat.Stdout);

        var file = Path.Combine(Path.GetTempPath(), $"cox-cp-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "copied in\n");
        try
        {
            var cp = await cluster.Kubectl.RunAsync($"-n {ns} cp {file} talk:/tmp/in.txt", timeout: TimeSpan.FromSeconds(60));
            Assert.True(cp.ExitCode == 0, cp.ToString());
            Assert.Equal("copied in\n", (await cluster.Kubectl.RunAsync($"-n {ns} exec talk -- cat /tmp/in.txt")).Stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task PortForwardReachesBusyboxHttpd()
    {
        var ns = await cluster.NamespaceAsync("pf");
        await cluster.Kubectl.OkAsync($"-n {ns} run web --image=busybox --restart=Never -- httpd -f -p 8080 -h /etc");
        await cluster.WaitForPodAsync(ns, "web", p => p.Status?.Phase == "Running", "Running");

        await using var forward = cluster.Kubectl.Start($"-n {ns} port-forward pod/web :8080");
        var line = await forward.ReadLineAsync(TimeSpan.FromSeconds(30));
        // "Forwarding from 127.0.0.1:LOCAL -> 8080"
        var local = int.Parse(line.Split("127.0.0.1:")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        // kubectl runs inside the node's network namespace, so its local port is there too.
        using var http = cluster.Host.Http();
        Assert.Equal("web", (await http.GetStringAsync($"http://127.0.0.1:{local}/hostname")).Trim());
    }

    [Fact]
    public async Task FollowedLogsEndWhenTheContainerExits()
    {
        var ns = await cluster.NamespaceAsync("follow");
        await cluster.Kubectl.OkAsync($"-n {ns} run brief --image=busybox --restart=Never -- sh -c 'echo first; sleep 3; echo second'");
        await cluster.WaitForPodAsync(ns, "brief", p => p.Status?.Phase is "Running" or "Succeeded", "started");
        var follow = await cluster.Kubectl.RunAsync($"-n {ns} logs -f brief", timeout: TimeSpan.FromSeconds(60));
        Assert.True(follow.ExitCode == 0, follow.ToString());
        Assert.Equal("first\nsecond\n", follow.Stdout);

        // --since-time from the second line's own timestamp keeps only that line; --since=1h keeps both.
        var stamped = await cluster.Kubectl.RunAsync($"-n {ns} logs brief --timestamps");
        var secondAt = stamped.Stdout.Split('\n').Single(l => l.EndsWith(" second", StringComparison.Ordinal)).Split(' ')[0];
        var since = await cluster.Kubectl.RunAsync($"-n {ns} logs brief --since-time={secondAt}");
        Assert.True(since.ExitCode == 0, since.ToString());
        Assert.Equal("second\n", since.Stdout);
        Assert.Equal("first\nsecond\n", (await cluster.Kubectl.RunAsync($"-n {ns} logs brief --since=1h")).Stdout);
    }

    [Fact]
    public async Task ExecWithATerminalAndAttachReachTheContainer()
    {
        var ns = await cluster.NamespaceAsync("tty");
        await cluster.Kubectl.OkAsync($"-n {ns} run ticker --image=busybox --restart=Never -- sh -c 'while true; do echo tick; sleep 1; done'");
        await cluster.WaitForPodAsync(ns, "ticker", p => p.Status?.Phase == "Running", "Running");

        // `kubectl exec -it` needs a terminal of its own: script(1) gives it one, 100x30. The container's stdin is
        // then a terminal, its size arrives over the resize channel, and the exit code comes back.
        var kubeconfig = cluster.Host.KubeconfigPath;
        var tty = await cluster.Host.ExecInNetnsAsync(
            $"script -qec \"stty cols 100 rows 30; kubectl --kubeconfig {kubeconfig} -n {ns} exec -it ticker -- sh -c 'tty; sleep 1; stty size; exit 3'\" /dev/null",
            TimeSpan.FromSeconds(60));
        Assert.Contains("/dev/pts/", tty.Stdout);
        Assert.Contains("30 100", tty.Stdout);
        Assert.Contains("command terminated with exit code 3", tty.Stdout + tty.Stderr);

        // attach streams the main process's new output.
        var attach = await cluster.Host.ExecInNetnsAsync($"timeout 4 kubectl --kubeconfig {kubeconfig} -n {ns} attach ticker", TimeSpan.FromSeconds(30));
        Assert.Contains("tick\ntick", attach.Stdout);
    }
}
