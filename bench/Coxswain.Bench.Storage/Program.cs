using System.Diagnostics;
using System.Globalization;
using System.Text;
using Coxswain.Storage;
using Coxswain.Storage.Sqlite;

// Usage: dotnet run -c Release --project bench/Coxswain.Bench.Storage -- [seconds per phase (default 3)] [directory]
// Prints creates/s (1, 16, 64 concurrent writers) with latency percentiles, creates/s with 1,000 watchers attached,
// gets/s, and the time to list 1,000 keys (at the current and at an older revision). "cpu" is this process's CPU time
// per operation (all threads, including the benchmark's own clients): unlike rates, it hardly moves when other programs
// compete for the cores.
double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
string dir = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "coxswain-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(dir);
TimeSpan phase = TimeSpan.FromSeconds(seconds);
byte[] value = Encoding.UTF8.GetBytes(
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\",\"namespace\":\"default\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]},\"pad\":\""
    + new string('x', 800) + "\"}");

Console.WriteLine($"SQLite store benchmark: {Environment.ProcessorCount} cores, value {value.Length} bytes, {seconds} s per phase, file in {dir}");
try
{
    await using SqliteStore store = await SqliteStore.OpenAsync(new SqliteStoreOptions(Path.Combine(dir, "bench.db"))
    {
        CompactionInterval = Timeout.InfiniteTimeSpan,
    });

    await CreatesAsync(store, 16, "/bench/warmup/", watchers: 0, print: false); // JIT, caches, thread pool
    foreach (int writers in new[] { 1, 16, 64 })
    {
        await CreatesAsync(store, writers, $"/bench/c{writers}/", watchers: 0);
    }

    await CreatesAsync(store, 64, "/bench/w/", watchers: 1000);

    // 1,000 keys under one prefix for gets and lists.
    string[] keys = Enumerable.Range(0, 1000).Select(i => $"/registry/pods/list/p{i:D4}").ToArray();
    foreach (string key in keys)
    {
        await store.CreateAsync(key, value);
    }

    long listRevision = store.CurrentRevision;
    for (int i = 0; i < 200; i++)
    {
        await store.CreateAsync($"/registry/pods/other/p{i}", value); // later history, so the old-revision list has work to do
    }

    foreach (int readers in new[] { 1, 4 })
    {
        await GetsAsync(store, keys, readers);
    }

    await ListsAsync(store, "/registry/pods/list/", 0, "current revision");
    await ListsAsync(store, "/registry/pods/list/", listRevision, "older revision");
}
finally
{
    Directory.Delete(dir, recursive: true);
}

async Task CreatesAsync(IStore store, int writers, string prefix, int watchers, bool print = true)
{
    var watches = new List<IStoreWatch>();
    var drains = new List<Task>();
    for (int i = 0; i < watchers; i++)
    {
        IStoreWatch w = store.Watch(i % 2 == 0 ? prefix : "/bench/", 0);
        watches.Add(w);
        drains.Add(Task.Run(async () =>
        {
            await foreach (StoreEvent _ in w.Events.ReadAllAsync())
            {
            }
        }));
    }

    TimeSpan cpu = Environment.CpuUsage.TotalTime;
    TimeSpan sys = Environment.CpuUsage.PrivilegedTime;
    long start = Stopwatch.GetTimestamp();
    long stopAt = start + (long)(phase.TotalSeconds * Stopwatch.Frequency);
    var latencies = new List<double>[writers];
    await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        var mine = latencies[w] = new List<double>(100_000);
        for (int n = 0; Stopwatch.GetTimestamp() < stopAt; n++)
        {
            long t = Stopwatch.GetTimestamp();
            await store.CreateAsync($"{prefix}{w}/{n}", value);
            mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
    })));
    double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
    double cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
    double[] all = latencies.SelectMany(l => l).Order().ToArray();
    string label = watchers > 0 ? $"creates, {writers} writers, {watchers} watchers" : $"creates, {writers} writers";
    if (print)
    {
        Console.WriteLine(
            $"{label,-36} {all.Length / elapsed,10:N0} /s   p50 {Pct(all, 0.50):F2} ms  p99 {Pct(all, 0.99):F2} ms  max {all[^1]:F2} ms  cpu {cpuMs * 1000 / all.Length:F0} us/op (kernel {(Environment.CpuUsage.PrivilegedTime - sys).TotalMilliseconds * 1000 / all.Length:F0})");
    }

    foreach (IStoreWatch w in watches)
    {
        await w.DisposeAsync();
    }

    await Task.WhenAll(drains);
}

async Task GetsAsync(IStore store, string[] keys, int readers)
{
    TimeSpan cpu = Environment.CpuUsage.TotalTime;
    long start = Stopwatch.GetTimestamp();
    long stopAt = start + (long)(phase.TotalSeconds * Stopwatch.Frequency);
    long[] counts = new long[readers];
    await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
    {
        var random = new Random(r);
        long n = 0;
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            for (int i = 0; i < 256; i++)
            {
                _ = await store.GetAsync(keys[random.Next(keys.Length)]) ?? throw new InvalidOperationException("missing key");
            }

            n += 256;
        }

        counts[r] = n;
    })));
    double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
    double cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
    Console.WriteLine($"{$"gets, {readers} readers",-36} {counts.Sum() / elapsed,10:N0} /s   cpu {cpuMs * 1000 / counts.Sum():F1} us/op");
}

async Task ListsAsync(IStore store, string prefix, long revision, string label)
{
    var times = new List<double>();
    TimeSpan cpu = Environment.CpuUsage.TotalTime;
    long start = Stopwatch.GetTimestamp();
    long stopAt = start + (long)(phase.TotalSeconds * Stopwatch.Frequency);
    while (Stopwatch.GetTimestamp() < stopAt)
    {
        long t = Stopwatch.GetTimestamp();
        ListResult list = await store.ListAsync(prefix, revision);
        times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        if (list.Items.Count != 1000)
        {
            throw new InvalidOperationException($"listed {list.Items.Count} keys");
        }
    }

    double[] sorted = [.. times.Order()];
    double cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
    Console.WriteLine(
        $"{$"list 1,000 keys, {label}",-36} {times.Count / Stopwatch.GetElapsedTime(start).TotalSeconds,10:N0} /s   p50 {Pct(sorted, 0.5):F2} ms  p99 {Pct(sorted, 0.99):F2} ms  cpu {cpuMs / times.Count:F2} ms/op");
}

static double Pct(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
