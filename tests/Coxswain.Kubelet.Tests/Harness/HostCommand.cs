using System.Diagnostics;

namespace Coxswain.Kubelet.Tests.Harness;

/// <summary>What a command printed and returned.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs a machine command (ip, nsenter, mount) to completion.</summary>
internal static class HostCommand
{
    public static async Task<CommandResult> RunAsync(IReadOnlyList<string> command, TimeSpan? timeout = null)
    {
        using var p = Start(command);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', command)} did not finish: {await stdout}{await stderr}");
        }
        return new CommandResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Blocking, without await: safe from cleanup code that runs under any synchronization context.</summary>
    public static CommandResult Run(params string[] command)
    {
        using var p = Start(command);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', command)} did not finish");
        }
        p.WaitForExit(); // lets the output readers reach the end
        return new CommandResult(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static Process Start(IReadOnlyList<string> command)
    {
        var psi = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in command.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }
        var p = Process.Start(psi)!;
        p.StandardInput.Close();
        return p;
    }

    /// <summary>Runs and throws with the output when the command fails.</summary>
    public static string Ok(params string[] command)
    {
        var r = Run(command);
        return r.ExitCode == 0 ? r.Stdout : throw new InvalidOperationException($"{string.Join(' ', command)} failed: {r}");
    }
}
