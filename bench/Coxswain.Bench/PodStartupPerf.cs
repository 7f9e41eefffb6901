using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Coxswain.Bench;

/// <summary>
/// Pod startup latency on a real node, as SIG scalability's SLO measures it: from the create request to the watch
/// event that shows the pod Running with its containers started, image already on the node (a warm-up pod pulls
/// it first). First N pods one after another, then a burst of M pods created at once.
/// The whole cluster (`cox server` with its local node: kubelet, containerd, registry) runs inside a network
/// namespace this benchmark creates and removes, so no pod traffic or CNI rule touches the machine's own network.
/// The benchmark re-executes itself inside that namespace to drive the API on its loopback.
/// </summary>
internal static class PodStartupPerf
{
    private const string NodeIp = "10.99.0.1";

    // Same as the tests' node launcher: a private mount namespace with a sysfs of the node's network namespace,
    // keeping the cgroup mounts runc needs.
    private const string EnterNodeScript = """
        set -e
        keep=$(mktemp -d "$0/cgroup-mounts-XXXXXX")
        mount --rbind /sys/fs/cgroup "$keep"
        mount -t sysfs sysfs /sys
        mount --move "$keep" /sys/fs/cgroup
        rmdir "$keep"
        exec "$@"
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var single = int.TryParse(Get("--single"), out var s) ? s : 20;
        var burst = int.TryParse(Get("--burst"), out var b) ? b : 50;
        if (Get("--inside") is { } name)
        {
            return await InsideAsync(name, single, burst);
        }
        if (Environment.UserName != "root")
        {
            Console.Error.WriteLine("pod-startup runs containers: run it as root");
            return 2;
        }
        name = $"cox-bench-{Environment.ProcessId}";
        var scratch = Path.Combine("/tmp", name);
        Directory.CreateDirectory(scratch);
        try
        {
            Run("ip", "netns", "add", name);
            Run("ip", "-n", name, "link", "set", "lo", "up");
            Run("ip", "-n", name, "addr", "add", NodeIp + "/32", "dev", "lo");
            var self = Process.Start(new ProcessStartInfo("nsenter")
            {
                ArgumentList = { $"--net=/run/netns/{name}", "--", "dotnet", typeof(PodStartupPerf).Assembly.Location, "pod-startup", "--inside", name, "--single", single.ToString(), "--burst", burst.ToString() },
                UseShellExecute = false,
            })!;
            await self.WaitForExitAsync();
            return self.ExitCode;
        }
        finally
        {
            CleanUp(name, scratch);
        }
    }

    private static async Task<int> InsideAsync(string name, int single, int burst)
    {
        var scratch = Path.Combine("/tmp", name);
        var dataDir = Path.Combine(scratch, "data");
        var psi = new ProcessStartInfo("unshare") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--mount", "--propagation", "slave", "--", "sh", "-c", EnterNodeScript, scratch,
            "dotnet", CoxProcess.CoxDll(), "server", "--data-dir", dataDir, "--port", "0", "--log-level", "Warning",
            "--node-name", "bench", "--node-ip", NodeIp, "--cgroup-root", "/" + name })
        {
            psi.ArgumentList.Add(a);
        }
        using var server = Process.Start(psi)!;
        var log = new ConcurrentQueue<string>();
        var ready = new TaskCompletionSource();
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                log.Enqueue(line);
                if (line.Contains("Coxswain is running", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }
        };
        server.ErrorDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            if (await Task.WhenAny(ready.Task, Task.Delay(60_000)) != ready.Task)
            {
                throw new InvalidOperationException("cox server did not start:\n" + string.Join("\n", log));
            }
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Path.Combine(dataDir, "kubeconfig.yaml")));
            var nodeReady = Stopwatch.StartNew();
            while (!await NodeReadyAsync(client))
            {
                if (nodeReady.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException("node did not get Ready:\n" + string.Join("\n", log));
                }
                await Task.Delay(100);
            }
            Console.WriteLine($"# pod startup latency on one real node (containerd {Runtime(client)}), {Environment.ProcessorCount} cores; node Ready {nodeReady.Elapsed.TotalSeconds:0.0} s after the server");
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench" } });
            using var watch = new RunningWatch(client, "bench");
            await watch.StartedAsync;
            await MeasureAsync(client, watch, ["warmup"]); // pulls busybox: the SLO excludes image pulls
            var sequential = new List<double>();
            for (var i = 0; i < single; i++)
            {
                sequential.AddRange(await MeasureAsync(client, watch, [$"single-{i}"]));
            }
            var total = Stopwatch.StartNew();
            var together = await MeasureAsync(client, watch, [.. Enumerable.Range(0, burst).Select(i => $"burst-{i}")]);
            var burstTime = total.Elapsed.TotalSeconds;
            Console.WriteLine("| scenario | pods | p50 ms | p99 ms | max ms |");
            Console.WriteLine("|---|---|---|---|---|");
            Console.WriteLine(Row($"1 pod at a time", sequential));
            Console.WriteLine(Row($"{burst} pods at once (all Running in {burstTime:0.00} s)", together));
            return 0;
        }
        finally
        {
            if (!server.HasExited)
            {
                Process.Start("kill", $"-TERM {server.Id}")!.WaitForExit();
                if (!server.WaitForExit(20_000))
                {
                    server.Kill(entireProcessTree: true);
                }
            }
        }
    }

    private static string Runtime(Kubernetes client) =>
        client.CoreV1.ReadNode("bench").Status.NodeInfo.ContainerRuntimeVersion;

    private static async Task<bool> NodeReadyAsync(Kubernetes client)
    {
        try
        {
            var node = await client.CoreV1.ReadNodeAsync("bench");
            return node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
        }
        catch (k8s.Autorest.HttpOperationException)
        {
            return false;
        }
    }

    /// <summary>Creates the pods at once; returns each one's time from its create request to the watch event showing it Running.</summary>
    private static async Task<List<double>> MeasureAsync(Kubernetes client, RunningWatch watch, string[] names)
    {
        var latencies = await Task.WhenAll(names.Select(async name =>
        {
            var running = watch.Expect(name);
            var started = Stopwatch.GetTimestamp();
            await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1PodSpec
                {
                    TerminationGracePeriodSeconds = 0,
                    Containers = [new V1Container { Name = "app", Image = "busybox", ImagePullPolicy = "IfNotPresent", Command = ["sleep", "3600"] }],
                },
            }, "bench");
            var at = await running.WaitAsync(TimeSpan.FromSeconds(120));
            return Stopwatch.GetElapsedTime(started, at).TotalMilliseconds;
        }));
        return [.. latencies];
    }

    private static string Row(string scenario, List<double> ms)
    {
        ms.Sort();
        double P(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        return $"| {scenario} | {ms.Count} | {P(0.5):0} | {P(0.99):0} | {ms[^1]:0} |";
    }

    /// <summary>One watch on the namespace's pods; completes a pod's task with the timestamp of the first event showing it Running with its containers started.</summary>
    private sealed class RunningWatch : IDisposable
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _waiting = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _started = new();

        public RunningWatch(Kubernetes client, string ns)
        {
            _ = Task.Run(async () =>
            {
                _started.TrySetResult();
                await foreach (var (_, pod) in client.CoreV1.WatchListNamespacedPodAsync(ns, cancellationToken: _stop.Token))
                {
                    if (pod.Status?.Phase == "Running" && pod.Status.ContainerStatuses?.All(c => c.Started == true) == true
                        && _waiting.TryGetValue(pod.Metadata.Name, out var tcs))
                    {
                        tcs.TrySetResult(Stopwatch.GetTimestamp());
                    }
                }
            });
        }

        public Task StartedAsync => _started.Task;

        public Task<long> Expect(string name) => _waiting.GetOrAdd(name, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public void Dispose() => _stop.Cancel();
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(" ", args)} failed with {p.ExitCode}");
        }
    }

    /// <summary>Everything the cluster left: its processes (containerd shims too), the namespace, pod cgroups, files.</summary>
    private static void CleanUp(string name, string scratch)
    {
        var cgroupDirs = Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup").Select(h => Path.Combine(h, name)).ToList() : [];
        for (var round = 0; round < 50; round++)
        {
            // The shims are in the node's network namespace, the containers in their pods' own: find those through their cgroups.
            var pids = Output("ip", "netns", "pids", name).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Concat(cgroupDirs.Where(Directory.Exists).SelectMany(d => Directory.EnumerateFiles(d, "cgroup.procs", SearchOption.AllDirectories))
                    .SelectMany(f => File.ReadAllLines(f)))
                .Distinct().ToArray();
            if (pids.Length == 0)
            {
                break;
            }
            Output("kill", [round < 20 ? "-TERM" : "-KILL", .. pids]);
            Thread.Sleep(200);
        }
        Output("ip", "netns", "del", name);
        foreach (var dir in cgroupDirs)
        {
            RemoveCgroups(dir);
        }
        if (Directory.Exists("/var/lib/cni/results"))
        {
            foreach (var file in Directory.GetFiles("/var/lib/cni/results"))
            {
                if (File.ReadAllText(file).Contains(scratch, StringComparison.Ordinal))
                {
                    File.Delete(file);
                }
            }
        }
        Directory.Delete(scratch, recursive: true);
    }

    private static void RemoveCgroups(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }
        foreach (var child in Directory.GetDirectories(dir))
        {
            RemoveCgroups(child);
        }
        try
        {
            Directory.Delete(dir);
        }
        catch (IOException)
        {
        }
    }

    private static string Output(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }
}
