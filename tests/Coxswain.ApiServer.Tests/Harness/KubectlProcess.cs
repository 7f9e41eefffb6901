using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Coxswain.ApiServer.Tests.Harness;

/// <summary>A kubectl that keeps running (get -w, wait): read its stdout line by line, then stop it.</summary>
public sealed class KubectlProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _args;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal KubectlProcess(Process process, string args)
    {
        _process = process;
        _args = args;
        _process.StandardInput.Close();
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null)
            {
                _lines.Writer.TryComplete();
                _stdoutDone.TrySetResult();
                return;
            }
            lock (_stdout)
            {
                _stdout.AppendLine(e.Data);
            }
            _lines.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == null)
            {
                _stderrDone.TrySetResult();
                return;
            }
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The next stdout line; fails the test if none comes within the timeout.</summary>
    public async Task<string> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kubectl {_args}: no line within the timeout\nstdout so far:\n{Stdout}\nstderr:\n{Stderr}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"kubectl {_args} ended early\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
    }

    /// <summary>Reads <paramref name="count"/> lines.</summary>
    public async Task<List<string>> ReadLinesAsync(int count, TimeSpan? timeout = null)
    {
        var lines = new List<string>();
        for (var i = 0; i < count; i++)
        {
            lines.Add(await ReadLineAsync(timeout));
        }
        return lines;
    }

    /// <summary>Waits for the process to end by itself; returns its result.</summary>
    public async Task<KubectlResult> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {_args} did not finish\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        await Task.WhenAll(_stdoutDone.Task, _stderrDone.Task).WaitAsync(TimeSpan.FromSeconds(5));
        return new KubectlResult(_process.ExitCode, Stdout, Stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
