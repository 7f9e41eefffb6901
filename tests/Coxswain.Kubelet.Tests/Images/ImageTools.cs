using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Coxswain.Kubelet.Tests.Images;

/// <summary>Helpers for the image integration tests: free loopback ports, running tools, a logger that records.</summary>
internal static class ImageTools
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string TempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>`skopeo inspect` of an image in a plain-HTTP registry; fails the test when skopeo does.</summary>
    public static async Task<string> SkopeoInspectAsync(string registry, string repository, string tag, bool config = false)
    {
        var args = new List<string> { "inspect", "--tls-verify=false" };
        if (config)
        {
            args.Add("--config");
        }
        args.Add($"docker://{registry}/{repository}:{tag}");
        var (code, stdout, stderr) = await RunAsync("skopeo", [.. args]);
        Assert.True(code == 0, $"skopeo inspect {repository}:{tag} failed: {stderr}");
        return stdout;
    }
}

/// <summary>Keeps formatted log messages, so tests can see what a component reported.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_messages)
        {
            _messages.Add(formatter(state, exception));
        }
    }
}
