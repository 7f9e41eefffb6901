using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Coxswain.Kubelet.Tests.Harness;

/// <summary>
/// A long-running process inside a test node (e.g. `cox agent`), with its output kept for failure
/// messages. Like the server, it runs in the node's network namespace and a private mount namespace
/// of its own whose /sys shows the node's network devices and the machine's cgroup hierarchies.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    // Runs "$@" with /sys showing the namespace's network devices while keeping the cgroup mounts
    // (which `ip netns exec` hides: it mounts a fresh sysfs over /sys), in a mount namespace that
    // dies with its processes. $0 is a dir for the one-launch temporary mount point.
    private const string EnterNodeScript = """
        set -e
        keep=$(mktemp -d "$0/cgroup-mounts-XXXXXX")
        mount --rbind /sys/fs/cgroup "$keep"
        mount -t sysfs sysfs /sys
        mount --move "$keep" /sys/fs/cgroup
        rmdir "$keep"
        exec "$@"
        """;

    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private bool _disposed;

    private NodeProcess(Process process)
    {
        _process = process;
        ProcessId = process.Id;
    }

    public int ProcessId { get; }
    public bool HasExited => _disposed || _process.HasExited;

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

    /// <summary>
    /// The prefix that runs a command inside the node: it ends by exec-ing the command, so the
    /// started process id is the command's own.
    /// </summary>
    internal static string[] Launcher(string netnsPath, string scratchDir) =>
    [
        "nsenter", $"--net={netnsPath}", "--",
        "unshare", "--mount", "--propagation", "slave", "--",
        "sh", "-c", EnterNodeScript, scratchDir,
    ];

    internal static NodeProcess Start(IEnumerable<string> launcher, IEnumerable<string> command)
    {
        var all = launcher.Concat(command).ToList();
        var psi = new ProcessStartInfo(all[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in all.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }
        var node = new NodeProcess(Process.Start(psi)!);
        node._process.StandardInput.Close();
        node._process.OutputDataReceived += (_, e) => node.Append(e.Data);
        node._process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Waits until the output has a line containing <paramref name="text"/>; fails if the process ends first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"no \"{text}\" in the output{(_process.HasExited ? " (exited)" : "")}:\n{Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM, as an operator would stop it; SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (HasExited)
        {
            return;
        }
        kill(ProcessId, SigTerm);
        using var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        _disposed = true;
    }

    private void Append(string? line)
    {
        if (line != null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
