using System.Diagnostics;
using System.Text;
using k8s;

namespace Coxswain.ApiServer.Tests.Harness;

/// <summary>
/// A real `cox server` process on 127.0.0.1 with a fresh data dir, for integration tests.
/// Dispose stops it (SIGTERM, then kill) and removes the data dir.
/// </summary>
public sealed class CoxServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly bool _ownsDataDir;

    private CoxServer(Process process, string dataDir, bool ownsDataDir)
    {
        _process = process;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
    }

    public string DataDir { get; }
    public string KubeconfigPath => Path.Combine(DataDir, "kubeconfig.yaml");
    public string Url { get; private set; } = "";
    public int Port { get; private set; }
    public string Token => File.ReadAllText(Path.Combine(DataDir, "tls", "admin.token")).Trim();

    /// <summary>Everything the server printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The path of the built cox.dll (same configuration as the tests).</summary>
    public static string CoxDll
    {
        get
        {
            var testDir = AppContext.BaseDirectory; // .../tests/Coxswain.ApiServer.Tests/bin/<Config>/net10.0/
            var config = new DirectoryInfo(testDir).Parent!.Name;
            var root = FindRepoRoot(testDir);
            var path = Path.Combine(root, "src", "Coxswain", "bin", config, "net10.0", "cox.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"cox.dll not built at {path}");
        }
    }

    private static string FindRepoRoot(string from)
    {
        var dir = new DirectoryInfo(from);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Coxswain.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new DirectoryNotFoundException("repository root not found");
    }

    /// <summary>Starts a server; <paramref name="dataDir"/> reuses an existing one (restart tests).</summary>
    public static Task<CoxServer> StartAsync(string? dataDir = null, int port = 0, params string[] extraArgs)
    {
        // In the machine's own network namespace a server must not start a real node (containers, CNI bridge).
        return StartAsync([], dataDir, port, ["--disable-agent", "--disable-registry", .. extraArgs]);
    }

    /// <summary>
    /// Starts a server under <paramref name="launcher"/>, a command prefix that must end by exec-ing
    /// its arguments (e.g. nsenter into a network namespace), so the process id stays the server's.
    /// </summary>
    public static async Task<CoxServer> StartAsync(IReadOnlyList<string> launcher, string? dataDir, int port, params string[] extraArgs)
    {
        var owns = dataDir == null;
        dataDir ??= Path.Combine(Path.GetTempPath(), "cox-test-" + Guid.NewGuid().ToString("N")[..12]);
        var command = launcher.Concat(new[] { "dotnet", CoxDll, "server", "--data-dir", dataDir, "--port", port.ToString(), "--bind-address", "127.0.0.1" }).Concat(extraArgs).ToList();
        var psi = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in command.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi)!;
        var server = new CoxServer(process, dataDir, owns);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line == null)
            {
                return;
            }
            lock (server._output)
            {
                server._output.AppendLine(line);
            }
            var at = line.IndexOf("API server ready at ", StringComparison.Ordinal);
            if (at >= 0)
            {
                ready.TrySetResult(line[(at + "API server ready at ".Length)..].Split(' ')[0]);
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var done = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (done != ready.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("cox server did not become ready:\n" + server.Output);
        }
        server.Url = ready.Task.Result;
        server.Port = new Uri(server.Url).Port;
        return server;
    }

    /// <summary>The official C# client, configured from the server's kubeconfig.</summary>
    public Kubernetes Client() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    /// <summary>An HttpClient that trusts the cluster CA (only) and sends the admin token.</summary>
    public HttpClient Http()
    {
        var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Path.Combine(DataDir, "tls", "ca.crt"));
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, chain, _) =>
            {
                if (cert == null || chain == null)
                {
                    return false;
                }
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return chain.Build(cert);
            },
        };
        var http = new HttpClient(handler) { BaseAddress = new Uri(Url) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    public Kubectl Kubectl(string binary = Harness.Kubectl.Default) => new(KubeconfigPath, binary);

    /// <summary>Stops the server the way an operator would (SIGTERM) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        Signal("TERM");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>kill -9: no chance to flush or clean up.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            Signal("KILL");
            await _process.WaitForExitAsync();
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>The server's process id (the launcher exec-ed into it).</summary>
    public int ProcessId => _process.Id;

    /// <summary>True once the server process has ended (crashed, killed or stopped).</summary>
    public bool HasExited => _process.HasExited;

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {_process.Id}") { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        if (_ownsDataDir && Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }
}
