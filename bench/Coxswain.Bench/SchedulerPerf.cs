using System.Diagnostics;
using System.Text;
using System.Text.Json;
using k8s;

namespace Coxswain.Bench;

/// <summary>
/// End-to-end scheduling throughput, like upstream's scheduler_perf SchedulingBasic: a `cox server` with N nodes
/// (simulated by a `cox agent` process, by the server itself, or bare Node objects with no kubelet), then phases of
/// pods created through the API as fast as the clients go. A pod counts as scheduled when a watch on its namespace
/// shows its spec.nodeName; its latency runs from sending its create to that watch event. Phases run one after
/// another on the same cluster, so the second phase schedules next to the first one's pods.
/// </summary>
internal sealed class SchedulerPerf
{
    private readonly SchedulerPerfOptions _options;
    private readonly Uri _server;
    private readonly string _token;
    private readonly KubernetesClientConfiguration _config;
    private const string Namespace = "sched-perf";

    private SchedulerPerf(string kubeconfig, SchedulerPerfOptions options)
    {
        _options = options;
        _config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        _server = new Uri(_config.Host);
        _token = _config.AccessToken;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var options = SchedulerPerfOptions.Parse(args);
        var serverArgs = new List<string>();
        if (options.Nodes == NodeSource.Server)
        {
            serverArgs.AddRange(["--simulated-nodes", options.NodeCount.ToString()]);
        }
        if (options.Nodes == NodeSource.Bare)
        {
            // Bare nodes never renew a lease; keep the lifecycle controller from tainting them mid-run.
            serverArgs.AddRange(["--node-monitor-grace-period", "10:00:00"]);
        }
        serverArgs.AddRange(options.ServerArgs);
        await using var cox = await CoxProcess.StartAsync([.. serverArgs]);
        Process? agent = null;
        try
        {
            var perf = new SchedulerPerf(cox.Kubeconfig, options);
            Console.WriteLine($"# scheduler_perf-like: {options.NodeCount} nodes ({options.Nodes}), phases of {string.Join(" then ", options.Phases)} pods, {options.Clients} clients over {options.Connections} HTTP/2 connections, {Environment.ProcessorCount} cores; server pid {cox.Pid}");
            var ready = Stopwatch.StartNew();
            if (options.Nodes == NodeSource.Agent)
            {
                agent = BenchCluster.StartAgent(cox.Kubeconfig, options.NodeCount);
            }
            else if (options.Nodes == NodeSource.Bare)
            {
                await perf.CreateBareNodesAsync();
            }
            await BenchCluster.WaitForReadyNodesAsync(perf.ConnectAsync, options.NodeCount);
            Console.WriteLine($"{options.NodeCount} nodes Ready after {ready.Elapsed.TotalSeconds:F1} s; server RSS {BenchCluster.Rss(cox.Pid)} MB{(agent != null ? $", agent RSS {BenchCluster.Rss(agent.Id)} MB" : "")}");
            await perf.RunPhasesAsync(cox.Pid, agent?.Id);
            return 0;
        }
        finally
        {
            if (agent != null)
            {
                Process.Start("kill", $"-TERM {agent.Id}")!.WaitForExit();
                await agent.WaitForExitAsync();
            }
        }
    }

    internal Task<LeanHttp2Connection> ConnectAsync() =>
        LeanHttp2Connection.OpenAsync(_server, _token, (_, cert, _, _) => ServerCertificate.Valid(cert, _config.SslCaCerts));

    /// <summary>Nodes as upstream's node-default.yaml (4 cpu, 32Gi, 110 pods), made Ready through nodes/status.</summary>
    private async Task CreateBareNodesAsync()
    {
        await using var connection = await ConnectAsync();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, _options.Clients).Select(async _ =>
        {
            var stream = connection.NewStream();
            var patch = connection.NewStream();
            patch.ContentType = "application/merge-patch+json";
            int i;
            while ((i = Interlocked.Increment(ref next)) < _options.NodeCount)
            {
                var name = $"node-{i}";
                await BenchCluster.Expect(201, stream.SendAsync("POST", "/api/v1/nodes", Encoding.UTF8.GetBytes(
                    $"{{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{{\"name\":\"{name}\",\"labels\":{{\"kubernetes.io/hostname\":\"{name}\"}}}}}}")));
                var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
                await BenchCluster.Expect(200, patch.SendAsync("PATCH", $"/api/v1/nodes/{name}/status", Encoding.UTF8.GetBytes(
                    "{\"status\":{\"capacity\":{\"cpu\":\"4\",\"memory\":\"32Gi\",\"pods\":\"110\"},\"allocatable\":{\"cpu\":\"4\",\"memory\":\"32Gi\",\"pods\":\"110\"}," +
                    $"\"conditions\":[{{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\",\"lastHeartbeatTime\":\"{now}\",\"lastTransitionTime\":\"{now}\"}}]}}}}")));
            }
        }));
    }

    private async Task RunPhasesAsync(int serverPid, int? agentPid)
    {
        var total = _options.Phases.Sum();
        var sent = new long[total];
        var bound = new long[total];
        await using var connection = await ConnectAsync();
        await BenchCluster.Expect(201, connection.NewStream().SendAsync("POST", "/api/v1/namespaces", Encoding.UTF8.GetBytes(
            $"{{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{{\"name\":\"{Namespace}\"}}}}")));
        var scheduled = 0;
        var running = 0;
        var seenRunning = new bool[total];
        var watch = connection.NewStream();
        watch.OnBody = new LineSplitter(line =>
        {
            if (ScheduledPod(line) is not ({ } i, var isRunning) || i >= total)
            {
                return;
            }
            if (Volatile.Read(ref bound[i]) == 0)
            {
                Volatile.Write(ref bound[i], Stopwatch.GetTimestamp());
                Interlocked.Increment(ref scheduled);
            }
            if (isRunning && !seenRunning[i])
            {
                seenRunning[i] = true;
                Interlocked.Increment(ref running);
            }
        }).Push;
        var watching = watch.SendAsync("GET", $"/api/v1/namespaces/{Namespace}/pods?watch=true&allowWatchBookmarks=false");

        var writers = await Task.WhenAll(Enumerable.Range(0, _options.Connections).Select(_ => ConnectAsync()));
        Console.WriteLine("| phase | pods | create/s | scheduled/s (end to end) | per-second samples p50 / p90 | latency p50 / p99 / max ms | server RSS, peak MB | agent RSS MB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        var first = 0;
        foreach (var count in _options.Phases)
        {
            var start = Stopwatch.GetTimestamp();
            var created = await CreatePodsAsync(writers, first, count, sent);
            var createSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var deadline = Stopwatch.StartNew();
            var limit = TimeSpan.FromSeconds(Math.Max(120, count / 50));
            while (Volatile.Read(ref scheduled) < first + count && deadline.Elapsed < limit)
            {
                await Task.Delay(100);
            }
            Console.WriteLine(PhaseReport(first, count, created, createSeconds, sent, bound, serverPid, agentPid));
            first += count;
        }
        if (_options.Nodes != NodeSource.Bare)
        {
            // The simulated kubelets report every pod Running; the run is only sound if they kept up.
            var wait = Stopwatch.StartNew();
            while (Volatile.Read(ref running) < total && wait.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(200);
            }
            Console.WriteLine($"{Volatile.Read(ref running)} of {total} pods Running {wait.Elapsed.TotalSeconds:F1} s after the last phase; server RSS {BenchCluster.Rss(serverPid)} MB{(agentPid is int a ? $", agent RSS {BenchCluster.Rss(a)} MB" : "")}");
        }
        foreach (var w in writers)
        {
            await w.DisposeAsync();
        }
        _ = watching;
    }

    /// <summary>Creates pods first..first+count; returns how many the server accepted.</summary>
    private async Task<int> CreatePodsAsync(LeanHttp2Connection[] connections, int first, int count, long[] sent)
    {
        var next = first - 1;
        var accepted = 0;
        var rate = _options.Rate;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, _options.Clients).Select(async client =>
        {
            var stream = connections[client % connections.Length].NewStream();
            int i;
            while ((i = Interlocked.Increment(ref next)) < first + count)
            {
                if (rate > 0 && (i - first) / (double)rate is var due && due > clock.Elapsed.TotalSeconds)
                {
                    await Task.Delay(TimeSpan.FromSeconds(due - clock.Elapsed.TotalSeconds));
                }
                Volatile.Write(ref sent[i], Stopwatch.GetTimestamp());
                var (status, body) = await stream.SendAsync("POST", $"/api/v1/namespaces/{Namespace}/pods", PodJson(i));
                if (status == 201)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Console.Error.WriteLine($"create p-{i}: {status} {Encoding.UTF8.GetString(body.Span)}");
                }
            }
        }));
        return accepted;
    }

    /// <summary>Upstream's pod-default.yaml: one pause container asking 100m cpu and 500Mi memory.</summary>
    private static byte[] PodJson(int i) => Encoding.UTF8.GetBytes(
        $"{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"p-{i}\",\"labels\":{{\"app\":\"sched-perf\"}}}},\"spec\":{{\"containers\":[{{\"name\":\"pause\",\"image\":\"registry.k8s.io/pause:3.10\",\"ports\":[{{\"containerPort\":80}}]," +
        "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"500Mi\"},\"limits\":{\"cpu\":\"100m\",\"memory\":\"500Mi\"}}}]}}");

    /// <summary>The pod number of a watch event whose pod has a node, and whether the pod is Running; else null.</summary>
    private static (int Index, bool Running)? ScheduledPod(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        using var doc = JsonDocument.ParseValue(ref reader);
        if (!doc.RootElement.TryGetProperty("object", out var pod)
            || !pod.TryGetProperty("spec", out var spec) || !spec.TryGetProperty("nodeName", out var node) || string.IsNullOrEmpty(node.GetString()))
        {
            return null;
        }
        var name = pod.GetProperty("metadata").GetProperty("name").GetString()!;
        var running = pod.TryGetProperty("status", out var status) && status.TryGetProperty("phase", out var phase) && phase.GetString() == "Running";
        return name.StartsWith("p-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(2), out var i) ? (i, running) : null;
    }

    private static string PhaseReport(int first, int count, int created, double createSeconds, long[] sent, long[] bound, int serverPid, int? agentPid)
    {
        var latencies = new List<double>(count);
        long firstSent = long.MaxValue, lastBound = 0;
        var perSecond = new Dictionary<long, int>();
        for (var i = first; i < first + count; i++)
        {
            firstSent = Math.Min(firstSent, sent[i]);
            if (bound[i] == 0)
            {
                continue;
            }
            lastBound = Math.Max(lastBound, bound[i]);
            latencies.Add(Stopwatch.GetElapsedTime(sent[i], bound[i]).TotalMilliseconds);
        }
        foreach (var i in Enumerable.Range(first, count).Where(i => bound[i] != 0))
        {
            var second = (long)Stopwatch.GetElapsedTime(firstSent, bound[i]).TotalSeconds;
            perSecond[second] = perSecond.GetValueOrDefault(second) + 1;
        }
        latencies.Sort();
        double P(List<double> sorted, double q) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
        // Whole seconds only (the last, partial one would drag the samples down), as upstream's throughput collector.
        var samples = perSecond.Where(kv => kv.Key < perSecond.Keys.Max()).Select(kv => (double)kv.Value).OrderBy(v => v).ToList();
        var span = lastBound == 0 ? double.NaN : Stopwatch.GetElapsedTime(firstSent, lastBound).TotalSeconds;
        var unscheduled = count - latencies.Count;
        return $"| {first}..{first + count - 1} | {count}{(created < count ? $" ({count - created} refused)" : "")}{(unscheduled > 0 ? $" ({unscheduled} never scheduled)" : "")} | {created / createSeconds:F0} | " +
            $"{latencies.Count / span:F0} | {P(samples, 0.5):F0} / {P(samples, 0.9):F0} | {P(latencies, 0.5):F0} / {P(latencies, 0.99):F0} / {P(latencies, 1):F0} | " +
            $"{BenchCluster.Rss(serverPid)}, {BenchCluster.Rss(serverPid, "VmHWM:")} | {(agentPid is int a ? BenchCluster.Rss(a).ToString() : "-")} |";
    }

}

/// <summary>Where the benchmark's nodes come from.</summary>
internal enum NodeSource
{
    /// <summary>A separate `cox agent --simulated` process, as a real fleet would be.</summary>
    Agent,
    /// <summary>`cox server --simulated-nodes N`: one process for everything.</summary>
    Server,
    /// <summary>Node objects with no kubelet, as upstream's scheduler_perf: pods are bound and nothing runs them.</summary>
    Bare,
}

internal sealed record SchedulerPerfOptions(int NodeCount, NodeSource Nodes, int[] Phases, int Clients, int Connections, int Rate, string[] ServerArgs)
{
    public static SchedulerPerfOptions Parse(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new SchedulerPerfOptions(
            int.TryParse(Get("--nodes"), out var n) ? n : 5000,
            Enum.TryParse<NodeSource>(Get("--node-source"), ignoreCase: true, out var source) ? source : NodeSource.Agent,
            Get("--pods")?.Split(',').Select(int.Parse).ToArray() ?? [10_000, 30_000],
            int.TryParse(Get("--clients"), out var c) ? c : 32,
            int.TryParse(Get("--connections"), out var conns) && conns > 0 ? conns : 4,
            int.TryParse(Get("--rate"), out var r) ? r : 0,
            Get("--server-args")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? []);
    }
}
