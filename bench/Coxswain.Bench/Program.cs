using System.Diagnostics;
using Coxswain.Bench;

// The API server load driver. Usage:
//   dotnet run -c Release --project bench/Coxswain.Bench -- [--kubeconfig PATH | --start-server] [--clients N] [--seconds S] [--warmup S] [--watchers W]
//     [--only create,get,list,update,watch] [--http2 [--connections C] | --http2-httpclient [--connections C]]
// Clients speak HTTP/1.1, each on its own connection (LeanConnection), unless --http2 is given: then they
// share C HTTP/2 connections round-robin (default 4), one stream each at a time (LeanHttp2Connection), as
// client-go and kubectl multiplex. --http2-httpclient does the same through HttpClient (one per connection),
// for comparison: HttpClient costs about as much CPU per request as the server, so it measures mostly itself.
//   dotnet run -c Release --project bench/Coxswain.Bench -- scheduler-perf [--nodes 5000] [--pods 10000,30000] [--node-source agent|server|bare]
//     [--clients 32] [--connections 4] [--rate PODS_PER_S]   (see SchedulerPerf.cs; always starts its own server)
//   dotnet run -c Release --project bench/Coxswain.Bench -- workloads [--nodes 100] [--replicas 1000] [--deployments 100] [--each 30]
//     (see WorkloadPerf.cs; always starts its own server and agent)
//   dotnet run -c Release --project bench/Coxswain.Bench -- pod-startup [--single 20] [--burst 50]
//     (see PodStartupPerf.cs; as root: starts its own server with a real node inside a network namespace it makes)
// With --start-server it starts `cox server` (same build configuration) on a free port with a temp data dir.
if (args.FirstOrDefault() == "scheduler-perf")
{
    return await SchedulerPerf.RunAsync(args[1..]);
}
if (args.FirstOrDefault() == "pod-startup")
{
    return await PodStartupPerf.RunAsync(args[1..]);
}
if (args.FirstOrDefault() == "workloads")
{
    return await WorkloadPerf.RunAsync(args[1..]);
}
var options = BenchOptions.Parse(args);
CoxProcess? cox = null;
try
{
    var kubeconfig = options.Kubeconfig;
    int? serverPid = options.ServerPid;
    if (options.StartServer)
    {
        cox = await CoxProcess.StartAsync();
        kubeconfig = cox.Kubeconfig;
        serverPid = cox.Pid;
    }
    if (kubeconfig == null)
    {
        Console.Error.WriteLine("give --kubeconfig PATH (and --server-pid PID for RSS) or --start-server");
        return 2;
    }
    var driver = new LoadDriver(kubeconfig, options);
    var connections = Math.Min(options.Clients, options.Connections);
    var protocol = options.Http2 || options.Http2HttpClient
        ? $"HTTP/2 ({(options.Http2 ? "lean" : "HttpClient")}) over {connections} connection{(connections == 1 ? "" : "s")}"
        : "HTTP/1.1 (lean), a connection each";
    Console.WriteLine($"# Coxswain API server load: {options.Clients} clients, {protocol}, {options.Seconds} s per scenario after {options.WarmupSeconds} s of warm-up, {options.Watchers} watchers, {Environment.ProcessorCount} cores");
    if (serverPid != null)
    {
        Console.WriteLine($"server RSS idle: {Rss(serverPid.Value)} MB");
    }
    Console.WriteLine(Stats.Header);
    foreach (var (name, scenario) in driver.Scenarios)
    {
        if (options.Only != null && name != "setup" && !options.Only.Contains(name))
        {
            continue;
        }
        var (stats, elapsed) = await scenario();
        Console.WriteLine(stats.Report(elapsed));
    }
    if (serverPid != null)
    {
        Console.WriteLine($"server RSS after load: {Rss(serverPid.Value)} MB");
    }
    return 0;
}
finally
{
    if (cox != null)
    {
        await cox.DisposeAsync();
    }
}

static long Rss(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        }
    }
    return -1;
}

internal sealed record BenchOptions(string? Kubeconfig, bool StartServer, int? ServerPid, int Clients, int Seconds, int WarmupSeconds, int Watchers, int WatchEvents, string[]? Only, bool Http2, bool Http2HttpClient, int Connections)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new BenchOptions(
            Get("--kubeconfig"),
            args.Contains("--start-server"),
            int.TryParse(Get("--server-pid"), out var pid) ? pid : null,
            int.TryParse(Get("--clients"), out var c) ? c : 32,
            int.TryParse(Get("--seconds"), out var s) ? s : 10,
            int.TryParse(Get("--warmup"), out var warm) ? warm : 5,
            int.TryParse(Get("--watchers"), out var w) ? w : 1000,
            int.TryParse(Get("--watch-events"), out var e) ? e : 50,
            Get("--only")?.Split(','),
            args.Contains("--http2"),
            args.Contains("--http2-httpclient"),
            int.TryParse(Get("--connections"), out var conns) && conns > 0 ? conns : 4);
    }
}

/// <summary>A cox server started by the benchmark.</summary>
internal sealed class CoxProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;

    private CoxProcess(Process process, string dataDir)
    {
        _process = process;
        _dataDir = dataDir;
    }

    public int Pid => _process.Id;
    public string Kubeconfig => Path.Combine(_dataDir, "kubeconfig.yaml");

    /// <summary>The cox executable of the benchmark's own build configuration.</summary>
    public static string CoxDll()
    {
        var config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Coxswain.slnx")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir!.FullName, "src", "Coxswain", "bin", config, "net10.0", "cox.dll");
    }

    public static async Task<CoxProcess> StartAsync(params string[] extraArgs)
    {
        var cox = CoxDll();
        var dataDir = Path.Combine(Path.GetTempPath(), "cox-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cox, "server", "--data-dir", dataDir, "--port", "0", "--log-level", "Warning", "--disable-agent", "--disable-registry" }.Concat(extraArgs))
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi)!;
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Coxswain is running", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(ready.Task, Task.Delay(30_000)) != ready.Task)
        {
            process.Kill();
            throw new InvalidOperationException("cox server did not start");
        }
        await Task.Delay(500);
        return new CoxProcess(process, dataDir);
    }

    public async ValueTask DisposeAsync()
    {
        Process.Start("kill", $"-TERM {_process.Id}")!.WaitForExit();
        await _process.WaitForExitAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
