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

    public string DataDir { get; }
    public int Port { get; }

    /// <summary>host:port, as pushes, hosts.toml and `cox image build --registry` name it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>PID of the current registry process (changes when it is restarted).</summary>
    public int ProcessId => _process.Id;

    /// <summary>How many times the registry died and was started again.</summary>
    public int Restarts { get; private set; }

    /// <summary>Starts the registry and returns once GET /v2/ answers.</summary>
    public static async Task<LocalRegistry> StartAsync(string dataDir, int port, ILogger logger, string binary = "docker-registry", CancellationToken ct = default)
    {
        dataDir = Path.GetFullPath(dataDir);
        Directory.CreateDirectory(Path.Combine(dataDir, "data"));
        var registry = new LocalRegistry(binary, dataDir, port, logger);
        File.WriteAllText(registry._configPath, ConfigYaml(Path.Combine(dataDir, "data"), registry.Address));
        await registry.StartProcessAndWaitAsync(ct);
        registry._supervisor = Task.Run(registry.SuperviseAsync, CancellationToken.None);
        return registry;
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
        EnsurePortFree();
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

    private void EnsurePortFree()
    {
        try
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, Port);
            probe.Start();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new InvalidOperationException($"cannot run the registry on {Address}: {e.Message} (choose another port)", e);
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
        _process.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local registry serving on {Address} (pid {Pid})")]
    private partial void LogReady(string address, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local registry exited with code {ExitCode}; restarting in {Delay}")]
    private partial void LogDied(int exitCode, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local registry restart failed")]
    private partial void LogRestartFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "registry: {Line}")]
    private partial void LogOutput(string line);
}
