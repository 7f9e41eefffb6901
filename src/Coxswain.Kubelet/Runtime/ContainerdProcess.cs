using System.Diagnostics;
using Coxswain.Kubelet.Cri;
using Coxswain.Kubelet.Cri.V1;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Runtime;

/// <summary>
/// containerd run as a child of the agent, as k3s does: config, root and state under the agent's data dir.
/// If it dies the supervisor starts it again; containers keep running meanwhile (their shims outlive
/// containerd) and the new containerd re-adopts them. Stopping the agent stops containerd but not the pods.
/// </summary>
public sealed partial class ContainerdProcess : IAsyncDisposable
{
    private readonly AgentPaths _paths;
    private readonly string _sandboxImage;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Process? _process;
    private Task? _supervisor;

    public ContainerdProcess(AgentPaths paths, ILogger logger, string sandboxImage = ContainerdConfig.DefaultSandboxImage)
    {
        _paths = paths;
        _logger = logger;
        _sandboxImage = sandboxImage;
    }

    /// <summary>The containerd binary, or null when it is not installed.</summary>
    public static string? FindBinary() =>
        new[] { "/usr/bin/containerd", "/usr/local/bin/containerd", "/usr/sbin/containerd" }.FirstOrDefault(File.Exists);

    /// <summary>Raised each time containerd was started again after dying.</summary>
    public event Action? Restarted;

    /// <summary>Writes the config, starts containerd and waits until its CRI answers.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        var binary = FindBinary() ?? throw new InvalidOperationException(
            "containerd is not installed (Debian: apt-get install containerd runc containernetworking-plugins)");
        foreach (var dir in new[] { _paths.ContainerdDir, _paths.RegistryHostsDir, _paths.CniConfDir, _paths.CniIpamDir, _paths.PodsDir, _paths.PodLogsDir })
        {
            Directory.CreateDirectory(dir);
        }
        await File.WriteAllTextAsync(_paths.ContainerdConfig, ContainerdConfig.Render(_paths, _sandboxImage), ct);
        await KillStaleAsync();
        await LaunchAsync(binary, ct);
        _supervisor = Task.Run(() => SuperviseAsync(binary, _stop.Token), CancellationToken.None);
    }

    private async Task LaunchAsync(string binary, CancellationToken ct)
    {
        File.Delete(_paths.ContainerdSocket);
        var psi = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(_paths.ContainerdConfig);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start containerd");
        await File.WriteAllTextAsync(PidFile, process.Id.ToString(), ct);
        var log = new StreamWriter(new FileStream(_paths.ContainerdLog, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        void Write(string? line)
        {
            if (line == null)
            {
                return;
            }
            lock (log)
            {
                log.WriteLine(line);
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Exited += (_, _) => log.Dispose();
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitReadyAsync(process, ct);
        LogStarted(_logger, process.Id, _paths.ContainerdSocket);
    }

    private string PidFile => Path.Combine(_paths.ContainerdDir, "containerd.pid");

    /// <summary>A containerd left by an agent that was killed would hold the socket and the state dir.</summary>
    private async Task KillStaleAsync()
    {
        if (!File.Exists(PidFile) || !int.TryParse(await File.ReadAllTextAsync(PidFile), out var pid))
        {
            return;
        }
        try
        {
            using var stale = Process.GetProcessById(pid);
            if (stale.ProcessName == "containerd")
            {
                LogKillingStale(_logger, pid);
                stale.Kill();
                await stale.WaitForExitAsync();
            }
        }
        catch (ArgumentException)
        {
            // Gone already.
        }
    }

    /// <summary>containerd answers on its socket within ~100 ms; the CRI plugin may fail to load (config error), so ask CRI itself.</summary>
    private async Task WaitReadyAsync(Process process, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        using var cri = CriClient.Connect(_paths.ContainerdSocket);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"containerd exited with code {process.ExitCode}; see {_paths.ContainerdLog}");
            }
            if (File.Exists(_paths.ContainerdSocket))
            {
                try
                {
                    await cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: ct);
                    return;
                }
                catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unimplemented)
                {
                    throw new InvalidOperationException($"containerd runs but does not serve CRI (its cri plugin failed to load); see {_paths.ContainerdLog}");
                }
                catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
                {
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"containerd did not answer on {_paths.ContainerdSocket} within 30 s; see {_paths.ContainerdLog}");
            }
            await Task.Delay(50, ct);
        }
    }

    private async Task SuperviseAsync(string binary, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            var process = _process!;
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            LogDied(_logger, process.ExitCode, backoff.TotalMilliseconds);
            try
            {
                await Task.Delay(backoff, ct);
                await LaunchAsync(binary, ct);
                backoff = TimeSpan.FromMilliseconds(200);
                Restarted?.Invoke();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                LogRestartFailed(_logger, e);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_supervisor != null)
        {
            await _supervisor;
        }
        if (_process is { HasExited: false } process)
        {
            // SIGTERM: containerd shuts down cleanly and leaves the shims (and so the pods) running.
            Posix.Kill(process.Id, Posix.SigTerm);
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
            }
        }
        _process?.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "containerd {Pid} is serving CRI on {Socket}")]
    private static partial void LogStarted(ILogger logger, int pid, string socket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "killing containerd {Pid} left by an earlier agent")]
    private static partial void LogKillingStale(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "containerd exited with code {Code}; starting it again in {DelayMs} ms")]
    private static partial void LogDied(ILogger logger, int code, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "containerd could not be started again")]
    private static partial void LogRestartFailed(ILogger logger, Exception e);
}
