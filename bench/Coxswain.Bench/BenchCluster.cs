using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Coxswain.Bench;

/// <summary>What the cluster benchmarks share: a simulated node agent, node readiness, answers, process memory.</summary>
internal static class BenchCluster
{
    /// <summary>`cox agent --simulated` with <paramref name="nodes"/> nodes of upstream's node-default size.</summary>
    public static Process StartAgent(string kubeconfig, int nodes)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { CoxProcess.CoxDll(), "agent", "--simulated", "--nodes", nodes.ToString(), "--kubeconfig", kubeconfig, "--cpu", "4", "--memory", "32Gi", "--pods", "110", "--log-level", "Warning" })
        {
            psi.ArgumentList.Add(a);
        }
        var agent = Process.Start(psi)!;
        agent.OutputDataReceived += (_, e) => { };
        agent.ErrorDataReceived += (_, e) => { };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        return agent;
    }

    public static async Task Expect(int status, Task<(int Status, ReadOnlyMemory<byte> Body)> request)
    {
        var (got, body) = await request;
        if (got != status)
        {
            throw new InvalidOperationException($"expected {status}, got {got}: {Encoding.UTF8.GetString(body.Span)}");
        }
    }

    /// <summary>Polls the node list until <paramref name="count"/> nodes are Ready (10 minutes at most).</summary>
    public static async Task WaitForReadyNodesAsync(Func<Task<LeanHttp2Connection>> connect, int count)
    {
        await using var connection = await connect();
        var stream = connection.NewStream();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var (status, body) = await stream.SendAsync("GET", "/api/v1/nodes");
            var ready = status == 200 ? CountReady(body.Span) : 0;
            if (ready >= count)
            {
                return;
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"only {ready} of {count} nodes are Ready");
            }
            await Task.Delay(2000);
        }
    }

    private static int CountReady(ReadOnlySpan<byte> list)
    {
        using var doc = JsonDocument.Parse(list.ToArray());
        return doc.RootElement.GetProperty("items").EnumerateArray().Count(node =>
            node.TryGetProperty("status", out var s) && s.TryGetProperty("conditions", out var conditions)
            && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True"));
    }

    public static long Rss(int pid, string field = "VmRSS:")
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
            }
        }
        return -1;
    }
}
