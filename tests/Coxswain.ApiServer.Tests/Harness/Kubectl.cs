using System.Diagnostics;

namespace Coxswain.ApiServer.Tests.Harness;

/// <summary>What a kubectl run printed and returned.</summary>
public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs the real kubectl against a test server, with its own discovery cache.</summary>
public sealed class Kubectl(string kubeconfig, string binary = Kubectl.Default)
{
    /// <summary>The version dispatcher that picks kubectl by the server's minor version.</summary>
    public const string Default = "/usr/bin/kubectl";

    public static string Versioned(string minor) => $"/usr/lib/google-cloud-sdk/bin/kubectl.1.{minor}";

    private readonly string _cacheDir = Path.Combine(Path.GetTempPath(), "kubectl-cache-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task<KubectlResult> RunAsync(string args, string? stdin = null, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        return await RunArgsAsync(SplitArgs(args), stdin, env, timeout);
    }

    public async Task<KubectlResult> RunArgsAsync(IEnumerable<string> args, string? stdin = null, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment["KUBECACHEDIR"] = _cacheDir;
        psi.Environment["HOME"] = Path.GetTempPath();
        if (env != null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin != null)
        {
            await p.StandardInput.WriteAsync(stdin);
        }
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish: {await stdout}{await stderr}");
        }
        return new KubectlResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running kubectl (get -w, wait) whose stdout is read line by line.</summary>
    public KubectlProcess Start(string args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in SplitArgs(args))
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment["KUBECACHEDIR"] = _cacheDir;
        psi.Environment["HOME"] = Path.GetTempPath();
        if (env != null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }
        return new KubectlProcess(Process.Start(psi)!, args);
    }

    /// <summary>Runs and asserts success, returning stdout.</summary>
    public async Task<string> OkAsync(string args, string? stdin = null)
    {
        var r = await RunAsync(args, stdin);
        Assert.True(r.ExitCode == 0, $"kubectl {args} failed: {r}");
        return r.Stdout;
    }

    /// <summary>Splits on spaces, honouring single and double quotes.</summary>
    public static List<string> SplitArgs(string args)
    {
        var result = new List<string>();
        var current = new System.Text.StringBuilder();
        char? quote = null;
        var any = false;
        foreach (var c in args)
        {
            if (quote != null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                any = true;
            }
            else if (c == ' ')
            {
                if (current.Length > 0 || any)
                {
                    result.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
            }
        }
        if (current.Length > 0 || any)
        {
            result.Add(current.ToString());
        }
        return result;
    }
}
