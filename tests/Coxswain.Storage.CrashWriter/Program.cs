using System.Text;
using Coxswain.Storage;
using Coxswain.Storage.Sqlite;

// Usage: Coxswain.Storage.CrashWriter <database path> <concurrent writers>
// Creates /crash/<run>/<writer>/<n> keys forever (run is new for each process). After each acknowledged create it prints "ACK <key> <revision> ."
// (the trailing dot marks a whole line), so whoever kills this process knows which writes must have survived.
if (args.Length != 2 || !int.TryParse(args[1], out int writers) || writers < 1)
{
    Console.Error.WriteLine("usage: Coxswain.Storage.CrashWriter <database path> <concurrent writers>");
    return 2;
}

await using SqliteStore store = await SqliteStore.OpenAsync(new SqliteStoreOptions(args[0]) { CompactionInterval = Timeout.InfiniteTimeSpan });
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
var gate = new Lock();
string run = Guid.NewGuid().ToString("N")[..8];
Console.Error.WriteLine("READY");

await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    byte[] value = Encoding.UTF8.GetBytes($"{{\"writer\":{w},\"payload\":\"{new string('x', 200)}\"}}");
    for (long n = 0; ; n++)
    {
        string key = $"/crash/{run}/{w}/{n}";
        KeyValue kv = await store.CreateAsync(key, value);
        lock (gate)
        {
            stdout.Write($"ACK {key} {kv.ModRevision} .\n");
        }
    }
})));
return 0;
