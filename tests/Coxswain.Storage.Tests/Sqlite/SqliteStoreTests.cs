using System.Text;
using Coxswain.Storage.Sqlite;

namespace Coxswain.Storage.Tests.Sqlite;

/// <summary>What only a store on a file can promise: it reopens as it was, and one file has one owner.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Task<SqliteStore> OpenAsync(string path, TimeSpan? compactionInterval = null, long retain = 1000, long chunk = 10_000) =>
        SqliteStore.OpenAsync(new SqliteStoreOptions(path)
        {
            CompactionInterval = compactionInterval ?? Timeout.InfiniteTimeSpan,
            CompactionRetainRevisions = retain,
            CompactionChunk = chunk,
        });

    private static byte[] V(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Reopening_keeps_data_revisions_and_the_compacted_revision()
    {
        string path = _dir.NewFile();
        await using (SqliteStore store = await OpenAsync(path))
        {
            KeyValue a = await store.CreateAsync("/p/a", V("a1"));   // 1
            await store.CreateAsync("/p/b", V("b1"));                // 2
            await store.UpdateAsync("/p/a", V("a2"), a.ModRevision); // 3
            await store.DeleteAsync("/p/b");                         // 4
            await store.CreateAsync("/p/c", V("c1"));                // 5
            await store.CompactAsync(3);
        }

        await using (SqliteStore store = await OpenAsync(path))
        {
            Assert.Equal(5, store.CurrentRevision);
            Assert.Equal(3, store.CompactedRevision);
            KeyValue? a = await store.GetAsync("/p/a");
            Assert.Equal(("a2", 1L, 3L), (Encoding.UTF8.GetString(a!.Value), a.CreateRevision, a.ModRevision));
            Assert.Null(await store.GetAsync("/p/b"));
            Assert.Equal(["/p/a", "/p/c"], (await store.ListAsync("/p/")).Items.Select(i => i.Key));
            Assert.Equal(["/p/a"], (await store.ListAsync("/p/", revision: 4)).Items.Select(i => i.Key));
            await Assert.ThrowsAsync<CompactedException>(() => store.ListAsync("/p/", revision: 2));

            // History after the compacted revision is still there for watchers, and counting goes on.
            await using IStoreWatch watch = store.Watch("/p/", 3);
            KeyValue d = await store.CreateAsync("/p/d", V("d1"));
            Assert.Equal(6, d.ModRevision);
            var events = new List<StoreEvent>();
            using var cts = new CancellationTokenSource(Patience);
            while (events.Count < 3)
            {
                events.Add(await watch.Events.ReadAsync(cts.Token));
            }

            Assert.Equal([(StoreEventType.Delete, 4L), (StoreEventType.Put, 5L), (StoreEventType.Put, 6L)], events.Select(e => (e.Type, e.Revision)));
            Assert.Equal("b1", Encoding.UTF8.GetString(events[0].Kv.Value));
        }
    }

    [Fact]
    public async Task Latest_value_reads_see_every_acknowledged_write_and_agree_with_the_file()
    {
        // Gets are answered from memory: after a write is acknowledged, every get sees it (or something newer),
        // failed and deleted writes leave nothing behind, and a range read of the file agrees with the gets.
        string path = _dir.NewFile();
        await using SqliteStore store = await OpenAsync(path);
        Task[] writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            string key = $"/k/{w}";
            KeyValue kv = await store.CreateAsync(key, V("0"));
            for (int i = 1; i <= 50; i++)
            {
                kv = await store.UpdateAsync(key, V(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), kv.ModRevision);
                KeyValue? seen = await store.GetAsync(key);
                Assert.True(seen!.ModRevision >= kv.ModRevision, $"get of {key} at {seen.ModRevision} missed the acknowledged write at {kv.ModRevision}");
                await Assert.ThrowsAsync<RevisionMismatchException>(() => store.UpdateAsync(key, V("stale"), kv.ModRevision - 1));
            }

            if (w % 2 == 0)
            {
                await store.DeleteAsync(key);
                Assert.Null(await store.GetAsync(key));
            }
        })).ToArray();
        await Task.WhenAll(writers);

        ListResult listed = await store.ListAsync("/k/");
        Assert.Equal(["/k/1", "/k/3", "/k/5", "/k/7"], listed.Items.Select(i => i.Key));
        foreach (KeyValue item in listed.Items)
        {
            KeyValue? got = await store.GetAsync(item.Key);
            Assert.Equal((item.ModRevision, "50"), (got!.ModRevision, Encoding.UTF8.GetString(got.Value)));
        }
    }

    [Fact]
    public async Task A_file_can_be_open_in_only_one_store_at_a_time()
    {
        string path = _dir.NewFile();
        await using (SqliteStore store = await OpenAsync(path))
        {
            await Assert.ThrowsAsync<StoreException>(() => OpenAsync(path));
        }

        await using SqliteStore again = await OpenAsync(path);
        Assert.Equal(0, again.CurrentRevision);
    }

    [Fact]
    public async Task Disposing_finishes_queued_writes_and_ends_watches()
    {
        string path = _dir.NewFile();
        SqliteStore store = await OpenAsync(path);
        IStoreWatch watch = store.Watch("/", 0);
        Task<KeyValue>[] writes = Enumerable.Range(0, 100).Select(i => store.CreateAsync($"/k/{i}", V("v"))).ToArray();
        await store.DisposeAsync();

        await Task.WhenAll(writes).WaitAsync(Patience);
        using var cts = new CancellationTokenSource(Patience);
        var seen = new List<long>();
        await foreach (StoreEvent e in watch.Events.ReadAllAsync(cts.Token))
        {
            seen.Add(e.Revision);
        }

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), seen);
        await watch.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync("/k/0"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.CreateAsync("/k/x", V("v")));

        await using SqliteStore reopened = await OpenAsync(path);
        Assert.Equal(100, reopened.CurrentRevision);
    }

    [Fact]
    public async Task Compaction_of_many_revisions_runs_in_chunks_and_keeps_every_current_value()
    {
        string path = _dir.NewFile();
        const long Chunk = 100;
        await using SqliteStore store = await OpenAsync(path, chunk: Chunk);
        const int Keys = 50;
        const long Total = (Chunk * 7) + (Chunk / 2);
        var latest = new KeyValue[Keys];
        for (int i = 0; i < Keys; i++)
        {
            latest[i] = await store.CreateAsync($"/k/{i:D3}", V("0"));
        }

        // Many updates from concurrent writers so that the log outgrows one compaction chunk.
        await Task.WhenAll(Enumerable.Range(0, 10).Select(w => Task.Run(async () =>
        {
            for (int round = 1; store.CurrentRevision < Total; round++)
            {
                for (int i = w; i < Keys; i += 10)
                {
                    latest[i] = await store.UpdateAsync(latest[i].Key, V($"{round}"), latest[i].ModRevision);
                }
            }
        })));

        long at = store.CurrentRevision;
        ListResult before = await store.ListAsync("/k/");
        await store.CompactAsync(at - 5);
        Assert.Equal(at - 5, store.CompactedRevision);

        ListResult after = await store.ListAsync("/k/");
        Assert.Equal(before.Items, after.Items, KeyValueComparer.Instance);
        Assert.Equal(Keys, after.Items.Count);
        Assert.Equal(latest.Select(kv => kv.ModRevision), after.Items.Select(kv => kv.ModRevision));
        Assert.Equal(before.Items, (await store.ListAsync("/k/", revision: at)).Items, KeyValueComparer.Instance);

        // What is left of the log: the 5 revisions after the compacted one, and the newest older row of each key.
        await using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync();
        await using var count = db.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM log";
        long rows = (long)(await count.ExecuteScalarAsync())!;
        Assert.InRange(rows, Keys, Keys + 5);
    }

    [Fact]
    public async Task Periodic_compaction_compacts_to_the_revision_seen_one_interval_earlier()
    {
        string path = _dir.NewFile();
        await using SqliteStore store = await OpenAsync(path, TimeSpan.FromMilliseconds(20), retain: 0);
        KeyValue kv = await store.CreateAsync("/k", V("0"));
        for (int i = 1; i <= 10; i++)
        {
            kv = await store.UpdateAsync("/k", V($"{i}"), kv.ModRevision);
        }

        using var cts = new CancellationTokenSource(Patience);
        while (store.CompactedRevision < kv.ModRevision)
        {
            await Task.Delay(10, cts.Token);
        }

        Assert.Equal(11, store.CompactedRevision);
        Assert.Equal("10", Encoding.UTF8.GetString((await store.GetAsync("/k"))!.Value));
        Assert.Throws<CompactedException>(() => store.Watch("/", 10));
    }

    [Fact]
    public async Task Periodic_compaction_keeps_the_configured_number_of_revisions()
    {
        string path = _dir.NewFile();
        await using SqliteStore store = await OpenAsync(path, TimeSpan.FromMilliseconds(20), retain: 5);
        KeyValue kv = await store.CreateAsync("/k", V("0"));
        for (int i = 1; i < 20; i++)
        {
            kv = await store.UpdateAsync("/k", V($"{i}"), kv.ModRevision);
        }

        using var cts = new CancellationTokenSource(Patience);
        while (store.CompactedRevision < 15)
        {
            await Task.Delay(10, cts.Token);
        }

        // Three more intervals: it never goes past current - retain.
        await Task.Delay(100, cts.Token);
        Assert.Equal(15, store.CompactedRevision);
    }

    [Fact]
    public async Task Writes_and_reads_stay_right_while_the_writer_restarts_the_wal()
    {
        string path = _dir.NewFile();
        var log = new ListLogger();
        await using (SqliteStore store = await SqliteStore.OpenAsync(
            new SqliteStoreOptions(path) { CompactionInterval = Timeout.InfiniteTimeSpan, MaxWalFrames = 4 },
            log))
        {
            using var stop = new CancellationTokenSource();
            Task readers = Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    ListResult list = await store.ListAsync("/k/", limit: 50);
                    Assert.Equal(list.Revision, list.Items.Count + list.RemainingCount); // creates only: one key per revision
                }
            })));

            await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (int i = 0; i < 50; i++)
                {
                    await store.CreateAsync($"/k/{w}/{i}", V(new string('x', 2000)));
                }
            })));
            await stop.CancelAsync();
            await readers;

            // Restarts are tried at most once a second and may lose to readers; without readers one succeeds.
            using var cts = new CancellationTokenSource(Patience);
            for (int i = 0; !log.Has(7); i++)
            {
                await store.CreateAsync($"/k/more/{i}", V(new string('y', 2000)), cts.Token);
                await Task.Delay(5, cts.Token);
            }
        }

        await using SqliteStore reopened = await OpenAsync(path);
        ListResult all = await reopened.ListAsync("/k/");
        Assert.Equal(reopened.CurrentRevision, all.Items.Count);
        Assert.True(all.Items.Count >= 400);
    }

    [Fact]
    public async Task A_write_that_fails_in_sqlite_fails_alone()
    {
        string path = _dir.NewFile();
        await using SqliteStore store = await SqliteStore.OpenAsync(new SqliteStoreOptions(path)
        {
            CompactionInterval = Timeout.InfiniteTimeSpan,
            MaxValueBytes = 10_000,
        });

        for (int round = 0; round < 3; round++)
        {
            Task<KeyValue>[] good = Enumerable.Range(0, 32).Select(i => store.CreateAsync($"/ok/{round}/{i}", V("small"))).ToArray();
            Task<KeyValue> bad = store.CreateAsync($"/big/{round}", new byte[20_000]);
            Task<KeyValue>[] more = Enumerable.Range(32, 32).Select(i => store.CreateAsync($"/ok/{round}/{i}", V("small"))).ToArray();

            await Assert.ThrowsAsync<StoreException>(() => bad);
            KeyValue[] done = await Task.WhenAll(good.Concat(more));
            Assert.Equal(64, done.Length);
        }

        // The good writes took every revision, without a gap where the bad ones were tried.
        ListResult all = await store.ListAsync("/");
        Assert.Equal(192, all.Items.Count);
        Assert.Equal(Enumerable.Range(1, 192).Select(i => (long)i), all.Items.Select(i => i.ModRevision).Order());
        Assert.Null(await store.GetAsync("/big/0"));
    }

    [Fact]
    public async Task History_reads_check_compaction_in_the_same_snapshot()
    {
        string path = _dir.NewFile();
        await using SqliteStore store = await OpenAsync(path);
        KeyValue kv = await store.CreateAsync("/k", V("0"));
        for (int i = 1; i < 10; i++)
        {
            kv = await store.UpdateAsync("/k", V($"{i}"), kv.ModRevision);
        }

        // A watcher that began catching up before a compaction finds it out on its next history read.
        IWatchHistory history = store;
        var events = new List<StoreEvent>();
        await history.ReadHistoryAsync("/", 2, 10, 3, events, CancellationToken.None);
        Assert.Equal([3L, 4L, 5L], events.Select(e => e.Revision));
        await store.CompactAsync(7);
        var ex = await Assert.ThrowsAsync<CompactedException>(() => history.ReadHistoryAsync("/", 5, 10, 3, [], CancellationToken.None));
        Assert.Equal(7, ex.CompactedRevision);
        events.Clear();
        await history.ReadHistoryAsync("/", 7, 10, 10, events, CancellationToken.None);
        Assert.Equal([8L, 9L, 10L], events.Select(e => e.Revision));
    }

    private sealed class KeyValueComparer : IEqualityComparer<KeyValue>
    {
        public static readonly KeyValueComparer Instance = new();

        public bool Equals(KeyValue? x, KeyValue? y) =>
            x is not null && y is not null && x.Key == y.Key && x.CreateRevision == y.CreateRevision
            && x.ModRevision == y.ModRevision && x.Value.AsSpan().SequenceEqual(y.Value);

        public int GetHashCode(KeyValue obj) => obj.Key.GetHashCode(StringComparison.Ordinal);
    }
}
