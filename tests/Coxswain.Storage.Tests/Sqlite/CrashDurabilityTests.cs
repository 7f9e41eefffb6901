using System.Diagnostics;
using Coxswain.Storage.Sqlite;

namespace Coxswain.Storage.Tests.Sqlite;

/// <summary>
/// Every write acknowledged before a SIGKILL is there after reopening: a child process writes and reports each
/// acknowledged revision on stdout; the test kills it mid-stream and checks the file.
/// </summary>
public sealed class CrashDurabilityTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Acknowledged_writes_survive_kill_9()
    {
        string path = _dir.NewFile();
        for (int round = 0; round < 2; round++)
        {
            Dictionary<string, long> acked = await RunWriterAndKillAsync(path, ackedBeforeKill: 300);

            await using SqliteStore store = await SqliteStore.OpenAsync(new SqliteStoreOptions(path) { CompactionInterval = Timeout.InfiniteTimeSpan });
            foreach ((string key, long revision) in acked)
            {
                KeyValue? kv = await store.GetAsync(key);
                Assert.True(kv is not null, $"acknowledged {key} at {revision} is lost");
                Assert.Equal(revision, kv.ModRevision);
            }

            // Only creates were done, so the log is one key per revision, 1..current, without a gap.
            ListResult all = await store.ListAsync("/crash/");
            Assert.True(store.CurrentRevision >= acked.Values.Max());
            Assert.Equal(Enumerable.Range(1, (int)store.CurrentRevision).Select(i => (long)i), all.Items.Select(i => i.ModRevision).Order());
        }
    }

    private static async Task<Dictionary<string, long>> RunWriterAndKillAsync(string path, int ackedBeforeKill)
    {
        string writer = Path.Combine(AppContext.BaseDirectory, "Coxswain.Storage.CrashWriter.dll");
        string host = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(writer);
        start.ArgumentList.Add(path);
        start.ArgumentList.Add("16");

        using Process child = Process.Start(start)!;
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        var acked = new Dictionary<string, long>();
        using var cts = new CancellationTokenSource(Patience);
        try
        {
            while (acked.Count < ackedBeforeKill)
            {
                string? line = await child.StandardOutput.ReadLineAsync(cts.Token);
                if (line is null)
                {
                    Assert.Fail($"the writer stopped early: {await stderr}");
                }

                Record(line, acked);
            }
        }
        finally
        {
            child.Kill(); // SIGKILL on Unix: no flush, no dispose, no checkpoint
        }

        // Acknowledgements already in the pipe count too: those writes were committed before being reported.
        string? rest;
        while ((rest = await child.StandardOutput.ReadLineAsync(cts.Token)) is not null)
        {
            Record(rest, acked);
        }

        await child.WaitForExitAsync(cts.Token);
        return acked;
    }

    private static void Record(string line, Dictionary<string, long> acked)
    {
        string[] parts = line.Split(' ');
        if (parts is ["ACK", string key, string revision, "."])
        {
            acked[key] = long.Parse(revision, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
