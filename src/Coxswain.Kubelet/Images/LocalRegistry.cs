using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Images;

/// <summary>
/// Debian's docker-registry (distribution 2.8) as a child process on 127.0.0.1:&lt;port&gt;, storing under
/// &lt;dataDir&gt;/data with a config we write (the packaged one binds every address and wants htpasswd).
/// Restarted when it dies; stopped with SIGTERM on dispose.
/// </summary>
public sealed partial class LocalRegistry : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    private readonly string _binary;
    private readonly string _configPath;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Process _process = null!;
    private Task _supervisor = Task.CompletedTask;

    private LocalRegistry(string binary, string dataDir, int port, ILogger logger)
    {
        _binary = binary;
        _logger = logger;
        DataDir = dataDir;
        Port = port;
        _configPath = Path.Combine(dataDir, "config.yml");
    }

    private const string PidFileName = "registry.pid";

    private string PidFile => Path.Combine(DataDir, PidFileName);

    public string DataDir { get; }
    public int Port { get; }

    /// <summary>host:port, as pushes, hosts.toml and `cox image build --registry` name it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>PID of the current registry process (changes when it is restarted).</summary>
    public int ProcessId => _process.Id;

    /// <summary>How many times the registry died and was started again.</summary>
    public int Restarts { get; private set; }

    /// <summary>
    /// Starts the registry and returns once GET /v2/ answers. Port 0 picks a free loopback port (kept across
    /// restarts); the address is recorded in &lt;dataDir&gt;/address for clients such as `cox image build`.
    /// </summary>
    public static async Task<LocalRegistry> StartAsync(string dataDir, int port, ILogger logger, string binary = "docker-registry", CancellationToken ct = default)
    {
        dataDir = Path.GetFullPath(dataDir);
        Directory.CreateDirectory(Path.Combine(dataDir, "data"));
        var configPath = Path.Combine(dataDir, "config.yml");
        await StopStaleAsync(Path.Combine(dataDir, PidFileName), binary, configPath, logger);
        var registry = new LocalRegistry(binary, dataDir, port == 0 ? FreeLoopbackPort() : port, logger);
        File.WriteAllText(configPath, ConfigYaml(Path.Combine(dataDir, "data"), registry.Address));
        await registry.StartProcessAndWaitAsync(ct);
        File.WriteAllText(AddressFile(dataDir), registry.Address);
        registry._supervisor = Task.Run(registry.SuperviseAsync, CancellationToken.None);
        return registry;
    }

    /// <summary>host:port of the registry running on <paramref name="dataDir"/>, or null when none was started there.</summary>
    public static string? RecordedAddress(string dataDir) =>
        File.Exists(AddressFile(dataDir)) ? File.ReadAllText(AddressFile(dataDir)).Trim() : null;

    private static string AddressFile(string dataDir) => Path.Combine(dataDir, "address");

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string ConfigYaml(string storageDir, string address) =>
        $"""
        version: 0.1
        log:
          level: warn
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: {storageDir}
          delete:
            enabled: true
        http:
          addr: {address}
        health:
          storagedriver:
            enabled: false

        """;

    private async Task StartProcessAndWaitAsync(CancellationToken ct)
    {
        // Something else answering on the port would pass the readiness check below while ours fails to bind.
        await EnsurePortFreeAsync(ct);
        var psi = new ProcessStartInfo(_binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(_configPath);
        var process = new Process { StartInfo = psi };
        var recent = new Queue<string>();
        void Collect(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is not { } line)
            {
                return;
            }
            lock (recent)
            {
                recent.Enqueue(line);
                if (recent.Count > 20)
                {
                    recent.Dequeue();
                }
            }
            LogOutput(line);
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run {_binary}: {e.Message} (install Debian's docker-registry)", e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await File.WriteAllTextAsync(PidFile, process.Id.ToString(), CancellationToken.None);

        using var client = new RegistryClient(Address, TimeSpan.FromSeconds(2));
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (!await client.PingAsync(ct))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
                await process.WaitForExitAsync(CancellationToken.None);
                string output;
                lock (recent)
                {
                    output = string.Join('\n', recent);
                }
                throw new InvalidOperationException($"registry on {Address} did not come up (exit code {process.ExitCode}): {output}");
            }
            await Task.Delay(50, ct);
        }
        LogReady(Address, process.Id);
    }

    /// <summary>
    /// A registry left running by an agent that was killed (children outlive it) still holds the port and the
    /// storage: stop it when the pid file names a docker-registry serving this very config.
    /// </summary>
    private static async Task StopStaleAsync(string pidFile, string binary, string configPath, ILogger logger)
    {
        if (!File.Exists(pidFile) || !int.TryParse(await File.ReadAllTextAsync(pidFile), out var pid) || !IsRegistry(pid, binary, configPath))
        {
            return;
        }
        LogStoppingStale(logger, pid);
        Runtime.Posix.Kill(pid, Runtime.Posix.SigTerm);
        for (var waited = 0; IsRegistry(pid, binary, configPath) && waited < 100; waited++)
        {
            await Task.Delay(100);
        }
        if (IsRegistry(pid, binary, configPath))
        {
            Runtime.Posix.Kill(pid, SigKill);
        }
    }

    private const int SigKill = 9;

    /// <summary>True while <paramref name="pid"/> is a live (not zombie) process whose command line names <paramref name="configPath"/>.</summary>
    private static bool IsRegistry(int pid, string binary, string configPath)
    {
        try
        {
            var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return args.Length > 2 && Path.GetFileName(args[0]) == Path.GetFileName(binary) && args.Contains(configPath);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Fails when something listens on the port. A registry just stopped may still hold it for a moment: the kernel
    /// empties a dying process's /proc cmdline (what the stale check looks at) before it closes its sockets.
    /// </summary>
    private async Task EnsurePortFreeAsync(CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, Port);
                // As Go (the registry) does: connections of a previous registry in TIME_WAIT must not count as "in use";
                // on Linux a live listener still makes the bind fail.
                probe.Server.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
                probe.Start();
                return;
            }
            catch (System.Net.Sockets.SocketException e) when (attempt >= 20)
            {
                throw new InvalidOperationException($"cannot run the registry on {Address}: {e.Message} (choose another port)", e);
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100, ct);
            }
        }
    }

    private async Task SuperviseAsync()
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _process.WaitForExitAsync(_stopping.Token);
                LogDied(_process.ExitCode, delay);
                await Task.Delay(delay, _stopping.Token);
                Restarts++;
                await StartProcessAndWaitAsync(_stopping.Token);
                delay = TimeSpan.FromSeconds(1);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRestartFailed(e);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRestartDelay.Ticks));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _supervisor;
        if (!_process.HasExited)
        {
            Runtime.Posix.Kill(_process.Id, Runtime.Posix.SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        File.Delete(AddressFile(DataDir));
        _process.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local registry serving on {Address} (pid {Pid})")]
    private partial void LogReady(string address, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local registry exited with code {ExitCode}; restarting in {Delay}")]
    private partial void LogDied(int exitCode, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local registry restart failed")]
    private partial void LogRestartFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping registry pid {Pid} left running by an earlier run")]
    private static partial void LogStoppingStale(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "registry: {Line}")]
    private partial void LogOutput(string line);
}
