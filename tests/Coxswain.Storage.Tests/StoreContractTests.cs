using System.Text;
using System.Threading.Channels;

namespace Coxswain.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IStore"/> must have. An implementation runs it by subclassing with a factory that opens a
/// fresh, empty store. Waits are bounded by <see cref="Patience"/> only so that a bug fails instead of hanging.
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Func<Task<IStore>> _storeFactory;
    private readonly List<IStore> _stores = [];

    protected StoreContractTests(Func<Task<IStore>> storeFactory) => _storeFactory = storeFactory;

    /// <summary>How many writes surely overflow a watcher that never reads.</summary>
    protected virtual int SlowWatcherWrites => 20_000;

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (IStore store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    protected async Task<IStore> OpenAsync()
    {
        IStore store = await _storeFactory();
        _stores.Add(store);
        return store;
    }

    protected static byte[] V(string s) => Encoding.UTF8.GetBytes(s);

    protected static string S(byte[] b) => Encoding.UTF8.GetString(b);

    [Fact]
    public async Task Empty_store_is_at_revision_zero()
    {
        IStore store = await OpenAsync();
        Assert.Equal(0, store.CurrentRevision);
        Assert.Equal(0, store.CompactedRevision);
        Assert.Null(await store.GetAsync("/registry/pods/default/a"));
        ListResult list = await store.ListAsync("/registry/");
        Assert.Empty(list.Items);
        Assert.Equal(0, list.Revision);
    }

    [Fact]
    public async Task Create_then_get_returns_the_value_and_its_revisions()
    {
        IStore store = await OpenAsync();
        KeyValue created = await store.CreateAsync("/registry/pods/default/a", V("one"));
        Assert.Equal("/registry/pods/default/a", created.Key);
        Assert.Equal(1, created.CreateRevision);
        Assert.Equal(1, created.ModRevision);
        Assert.Equal(1, store.CurrentRevision);

        KeyValue? got = await store.GetAsync("/registry/pods/default/a");
        Assert.NotNull(got);
        Assert.Equal("one", S(got.Value));
        Assert.Equal(1, got.CreateRevision);
        Assert.Equal(1, got.ModRevision);
    }

    [Fact]
    public async Task Empty_values_round_trip()
    {
        IStore store = await OpenAsync();
        await store.CreateAsync("/k", []);
        KeyValue? got = await store.GetAsync("/k");
        Assert.NotNull(got);
        Assert.Empty(got.Value);
        Assert.Empty((await store.ListAsync("/")).Items[0].Value);
    }

    [Fact]
    public async Task Create_of_an_existing_key_throws_and_takes_no_revision()
    {
        IStore store = await OpenAsync();
        await store.CreateAsync("/registry/pods/default/a", V("one"));
        var ex = await Assert.ThrowsAsync<KeyExistsException>(() => store.CreateAsync("/registry/pods/default/a", V("two")));
        Assert.Equal("/registry/pods/default/a", ex.Key);
        Assert.Equal(1, store.CurrentRevision);
        Assert.Equal("one", S((await store.GetAsync("/registry/pods/default/a"))!.Value));
    }

    [Fact]
    public async Task Update_with_the_current_revision_replaces_the_value()
    {
        IStore store = await OpenAsync();
        KeyValue created = await store.CreateAsync("/a", V("one"));
        await store.CreateAsync("/b", V("other"));
        KeyValue updated = await store.UpdateAsync("/a", V("two"), created.ModRevision);
        Assert.Equal(3, updated.ModRevision);
        Assert.Equal(1, updated.CreateRevision);
        Assert.Equal("two", S(updated.Value));

        KeyValue? got = await store.GetAsync("/a");
        Assert.Equal(3, got!.ModRevision);
        Assert.Equal(1, got.CreateRevision);
        Assert.Equal("two", S(got.Value));
    }

    [Fact]
    public async Task Update_with_a_stale_revision_throws_with_the_current_value()
    {
        IStore store = await OpenAsync();
        KeyValue created = await store.CreateAsync("/a", V("one"));
        await store.UpdateAsync("/a", V("two"), created.ModRevision);

        var ex = await Assert.ThrowsAsync<RevisionMismatchException>(() => store.UpdateAsync("/a", V("three"), created.ModRevision));
        Assert.Equal(2, ex.Current.ModRevision);
        Assert.Equal("two", S(ex.Current.Value));
        Assert.Equal(2, store.CurrentRevision);
    }

    [Fact]
    public async Task Update_of_a_missing_key_throws_not_found()
    {
        IStore store = await OpenAsync();
        await Assert.ThrowsAsync<StoreKeyNotFoundException>(() => store.UpdateAsync("/nope", V("x"), 1));
        Assert.Equal(0, store.CurrentRevision);
    }

    [Fact]
    public async Task Delete_returns_the_last_value_at_the_delete_revision()
    {
        IStore store = await OpenAsync();
        KeyValue created = await store.CreateAsync("/a", V("one"));
        KeyValue updated = await store.UpdateAsync("/a", V("two"), created.ModRevision);

        KeyValue deleted = await store.DeleteAsync("/a", updated.ModRevision);
        Assert.Equal("two", S(deleted.Value));
        Assert.Equal(3, deleted.ModRevision);
        Assert.Equal(1, deleted.CreateRevision);
        Assert.Null(await store.GetAsync("/a"));
        Assert.Equal(3, store.CurrentRevision);
    }

    [Fact]
    public async Task Delete_checks_the_revision_unless_it_is_zero()
    {
        IStore store = await OpenAsync();
        await store.CreateAsync("/a", V("one"));
        await store.UpdateAsync("/a", V("two"), 1);

        var ex = await Assert.ThrowsAsync<RevisionMismatchException>(() => store.DeleteAsync("/a", 1));
        Assert.Equal(2, ex.Current.ModRevision);
        Assert.NotNull(await store.GetAsync("/a"));

        KeyValue deleted = await store.DeleteAsync("/a");
        Assert.Equal(3, deleted.ModRevision);
        await Assert.ThrowsAsync<StoreKeyNotFoundException>(() => store.DeleteAsync("/a"));
        Assert.Equal(3, store.CurrentRevision);
    }

    [Fact]
    public async Task A_key_created_again_after_delete_has_a_new_create_revision()
    {
        IStore store = await OpenAsync();
        await store.CreateAsync("/a", V("one"));
        await store.DeleteAsync("/a");
        KeyValue again = await store.CreateAsync("/a", V("again"));
        Assert.Equal(3, again.CreateRevision);
        Assert.Equal(3, again.ModRevision);
        await Assert.ThrowsAsync<RevisionMismatchException>(() => store.UpdateAsync("/a", V("x"), 1));
    }

    [Fact]
    public async Task Every_successful_write_takes_exactly_the_next_revision()
    {
        IStore store = await OpenAsync();
        var revisions = new List<long>();
        for (int i = 0; i < 10; i++)
        {
            revisions.Add((await store.CreateAsync($"/k/{i}", V("v"))).ModRevision);
            await Assert.ThrowsAsync<KeyExistsException>(() => store.CreateAsync($"/k/{i}", V("v")));
        }

        for (int i = 0; i < 10; i++)
        {
            revisions.Add((await store.UpdateAsync($"/k/{i}", V("w"), revisions[i])).ModRevision);
        }

        for (int i = 0; i < 10; i++)
        {
            revisions.Add((await store.DeleteAsync($"/k/{i}")).ModRevision);
        }

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), revisions);
        Assert.Equal(30, store.CurrentRevision);
    }

    [Fact]
    public async Task List_returns_keys_under_the_prefix_sorted_and_respects_boundaries()
    {
        IStore store = await OpenAsync();
        string[] keys =
        [
            "/registry/pods/default2/a", "/registry/pods/default/b", "/registry/pods/default/a",
            "/registry/pods/defaulu", "/registry/pods/default/c/d", "/registry/pods/default", "/registry/services/default/a",
        ];
        foreach (string key in keys)
        {
            await store.CreateAsync(key, V(key));
        }

        ListResult list = await store.ListAsync("/registry/pods/default/");
        Assert.Equal(["/registry/pods/default/a", "/registry/pods/default/b", "/registry/pods/default/c/d"], list.Items.Select(i => i.Key));
        Assert.Equal(7, list.Revision);
        Assert.False(list.More);
        Assert.Equal(0, list.RemainingCount);
        Assert.All(list.Items, i => Assert.Equal(i.Key, S(i.Value)));

        ListResult pods = await store.ListAsync("/registry/pods/");
        Assert.Equal(keys.Where(k => k.StartsWith("/registry/pods/", StringComparison.Ordinal)).Order(StringComparer.Ordinal), pods.Items.Select(i => i.Key));

        ListResult all = await store.ListAsync("");
        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Items.Select(i => i.Key));

        Assert.Empty((await store.ListAsync("/registry/nodes/")).Items);
        Assert.Equal(3, await store.CountAsync("/registry/pods/default/"));
        Assert.Equal(7, await store.CountAsync(""));
        Assert.Equal(0, await store.CountAsync("/registry/nodes/"));
    }

    [Fact]
    public async Task Keys_beyond_ascii_list_under_their_prefix()
    {
        IStore store = await OpenAsync();
        string[] keys = ["/é/b", "/é/a", "/éa", "/é", "/ê/a", "/é/\U0001F600"];
        foreach (string key in keys)
        {
            await store.CreateAsync(key, V(key));
        }

        Assert.Equal(["/é/a", "/é/b", "/é/\U0001F600"], (await store.ListAsync("/é/")).Items.Select(i => i.Key));
        Assert.Equal(3, await store.CountAsync("/é/"));
        Assert.Equal("/é/b", (await store.GetAsync("/é/b"))!.Key);
    }

    [Fact]
    public async Task List_does_not_show_deleted_keys()
    {
        IStore store = await OpenAsync();
        await store.CreateAsync("/p/a", V("a"));
        await store.CreateAsync("/p/b", V("b"));
        await store.DeleteAsync("/p/a");
        ListResult list = await store.ListAsync("/p/");
        Assert.Equal(["/p/b"], list.Items.Select(i => i.Key));
        Assert.Equal(3, list.Revision);
        Assert.Equal(1, await store.CountAsync("/p/"));
    }

    [Fact]
    public async Task Pages_with_start_key_and_limit_cover_every_key_once()
    {
        IStore store = await OpenAsync();
        for (int i = 0; i < 25; i++)
        {
            await store.CreateAsync($"/p/{i:D3}", V($"{i}"));
        }

        await store.CreateAsync("/q/000", V("outside"));

        ListResult first = await store.ListAsync("/p/", limit: 10);
        Assert.Equal(10, first.Items.Count);
        Assert.True(first.More);
        Assert.Equal(15, first.RemainingCount);
        long at = first.Revision;

        // Writes after the first page must not show up in later pages at the same revision.
        await store.CreateAsync("/p/0105", V("late"));
        await store.DeleteAsync("/p/020");

        var seen = first.Items.Select(i => i.Key).ToList();
        string next = first.Items[^1].Key + "\0";
        while (true)
        {
            ListResult page = await store.ListAsync("/p/", at, next, 10);
            Assert.Equal(at, page.Revision);
            seen.AddRange(page.Items.Select(i => i.Key));
            if (!page.More)
            {
                Assert.Equal(0, page.RemainingCount);
                break;
            }

            Assert.Equal(25 - seen.Count, page.RemainingCount);
            next = page.Items[^1].Key + "\0";
        }

        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"/p/{i:D3}"), seen);

        ListResult exact = await store.ListAsync("/p/", startKey: "/p/020", limit: 5);
        Assert.Equal(["/p/021", "/p/022", "/p/023", "/p/024"], exact.Items.Select(i => i.Key));
        Assert.False(exact.More);

        ListResult now = await store.ListAsync("/p/", startKey: "/p/010", limit: 1);
        Assert.Equal(["/p/010"], now.Items.Select(i => i.Key));
        Assert.True(now.More);
        Assert.Equal(14, now.RemainingCount); // /p/0105 (sorts before /p/011), then /p/011../p/024 without /p/020
    }

    [Fact]
    public async Task A_start_key_before_the_prefix_starts_at_the_prefix_and_one_after_it_lists_nothing()
    {
        IStore store = await OpenAsync();
        await store.CreateAsync("/a/1", V("1"));
        await store.CreateAsync("/b/1", V("1"));
        await store.CreateAsync("/b/2", V("2"));
        await store.CreateAsync("/c/1", V("1"));

        Assert.Equal(["/b/1", "/b/2"], (await store.ListAsync("/b/", startKey: "/a/")).Items.Select(i => i.Key));
        Assert.Empty((await store.ListAsync("/b/", startKey: "/c/")).Items);
        Assert.Empty((await store.ListAsync("/b/", revision: 3, startKey: "/c/")).Items);
    }

    [Fact]
    public async Task List_at_an_old_revision_shows_the_state_then()
    {
        IStore store = await OpenAsync();
        KeyValue a = await store.CreateAsync("/p/a", V("a1"));          // 1
        KeyValue b = await store.CreateAsync("/p/b", V("b1"));          // 2
        await store.UpdateAsync("/p/a", V("a2"), a.ModRevision);        // 3
        await store.DeleteAsync("/p/b");                                // 4
        await store.CreateAsync("/p/c", V("c1"));                       // 5
        await store.CreateAsync("/p/b", V("b2"));                       // 6

        ListResult at2 = await store.ListAsync("/p/", revision: 2);
        Assert.Equal(2, at2.Revision);
        Assert.Equal([("/p/a", "a1", 1L, 1L), ("/p/b", "b1", 2L, 2L)], at2.Items.Select(i => (i.Key, S(i.Value), i.CreateRevision, i.ModRevision)));

        ListResult at4 = await store.ListAsync("/p/", revision: 4);
        Assert.Equal([("/p/a", "a2", 1L, 3L)], at4.Items.Select(i => (i.Key, S(i.Value), i.CreateRevision, i.ModRevision)));

        ListResult at5 = await store.ListAsync("/p/", revision: 5, limit: 1);
        Assert.Equal(["/p/a"], at5.Items.Select(i => i.Key));
        Assert.True(at5.More);
        Assert.Equal(1, at5.RemainingCount);

        ListResult at6 = await store.ListAsync("/p/", revision: 6);
        Assert.Equal([("/p/a", "a2"), ("/p/b", "b2"), ("/p/c", "c1")], at6.Items.Select(i => (i.Key, S(i.Value))));
        Assert.Equal(6, at6.Revision);

        Assert.Empty((await store.ListAsync("/p/", revision: 1, startKey: "/p/b")).Items);
    }

    [Fact]
    public async Task List_at_a_future_revision_throws()
    {
        IStore store = await OpenAsync();
        await store.CreateAsync("/a", V("a"));
        await Assert.ThrowsAsync<FutureRevisionException>(() => store.ListAsync("/", revision: 2));
    }

    [Fact]
    public async Task Watch_delivers_history_then_live_events_in_order()
    {
        IStore store = await OpenAsync();
        KeyValue a = await store.CreateAsync("/w/a", V("a1"));   // 1
        await store.CreateAsync("/x/a", V("x1"));                // 2 (other prefix)
        await store.UpdateAsync("/w/a", V("a2"), a.ModRevision); // 3
        await store.CreateAsync("/w/b", V("b1"));                // 4

        await using IStoreWatch watch = store.Watch("/w/", 1);
        await store.DeleteAsync("/w/a");                         // 5
        await store.CreateAsync("/w2/a", V("not mine"));         // 6
        await store.CreateAsync("/w/c", V("c1"));                // 7

        List<StoreEvent> events = await ReadAsync(watch, 4);
        Assert.Equal([3L, 4L, 5L, 7L], events.Select(e => e.Revision));

        StoreEvent update = events[0];
        Assert.Equal(StoreEventType.Put, update.Type);
        Assert.Equal(("/w/a", "a2", 1L, 3L), (update.Kv.Key, S(update.Kv.Value), update.Kv.CreateRevision, update.Kv.ModRevision));
        Assert.NotNull(update.Previous);
        Assert.Equal(("a1", 1L, 1L), (S(update.Previous.Value), update.Previous.CreateRevision, update.Previous.ModRevision));

        StoreEvent create = events[1];
        Assert.Equal(StoreEventType.Put, create.Type);
        Assert.Null(create.Previous);
        Assert.Equal(("/w/b", 4L, 4L), (create.Kv.Key, create.Kv.CreateRevision, create.Kv.ModRevision));

        StoreEvent delete = events[2];
        Assert.Equal(StoreEventType.Delete, delete.Type);
        Assert.Equal(("/w/a", "a2", 1L, 5L), (delete.Kv.Key, S(delete.Kv.Value), delete.Kv.CreateRevision, delete.Kv.ModRevision));
        Assert.Equal(("a2", 1L, 3L), (S(delete.Previous!.Value), delete.Previous.CreateRevision, delete.Previous.ModRevision));

        Assert.Equal("/w/c", events[3].Kv.Key);
        Assert.False(watch.Events.TryRead(out _));
    }

    [Fact]
    public async Task Watch_history_delete_events_carry_the_last_value()
    {
        IStore store = await OpenAsync();
        KeyValue a = await store.CreateAsync("/w/a", V("a1"));
        await store.UpdateAsync("/w/a", V("a2"), a.ModRevision);
        await store.DeleteAsync("/w/a");
        await store.CreateAsync("/w/a", V("again"));

        await using IStoreWatch watch = store.Watch("/w/", 0 + 1);
        List<StoreEvent> events = await ReadAsync(watch, 3);
        Assert.Equal([StoreEventType.Put, StoreEventType.Delete, StoreEventType.Put], events.Select(e => e.Type));
        Assert.Equal(("a2", 3L, 1L), (S(events[1].Kv.Value), events[1].Kv.ModRevision, events[1].Kv.CreateRevision));
        Assert.Equal(("a2", 2L), (S(events[1].Previous!.Value), events[1].Previous!.ModRevision));
        Assert.Null(events[2].Previous);
        Assert.Equal(4, events[2].Kv.CreateRevision);
    }

    [Fact]
    public async Task Watch_from_zero_starts_now()
    {
        IStore store = await OpenAsync();
        await store.CreateAsync("/w/a", V("a1"));
        await using IStoreWatch watch = store.Watch("/w/", 0);
        await store.CreateAsync("/w/b", V("b1"));
        List<StoreEvent> events = await ReadAsync(watch, 1);
        Assert.Equal("/w/b", events[0].Kv.Key);
        Assert.Equal(2, events[0].Revision);
    }

    [Fact]
    public async Task Watch_from_the_current_revision_gets_only_later_events()
    {
        IStore store = await OpenAsync();
        await store.CreateAsync("/w/a", V("a1"));
        await using IStoreWatch watch = store.Watch("/w/", store.CurrentRevision);
        await store.CreateAsync("/w/b", V("b1"));
        Assert.Equal([2L], (await ReadAsync(watch, 1)).Select(e => e.Revision));
    }

    [Fact]
    public async Task Watch_while_writes_commit_has_no_gap_and_no_duplicate()
    {
        IStore store = await OpenAsync();
        for (int i = 0; i < 200; i++)
        {
            await store.CreateAsync($"/w/{i:D4}", V("v"));
        }

        const int Writers = 8;
        const int PerWriter = 100;
        Task writes = Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < PerWriter; i++)
            {
                await store.CreateAsync($"/w/{w}/{i}", V("v"));
            }
        })));

        // Watches started at several moments while the writers run, each from an older revision, each read as it goes.
        const long Last = 200 + (Writers * PerWriter);
        var readers = new List<(long From, Task<List<StoreEvent>> Events)>();
        for (int i = 0; i < 5; i++)
        {
            long from = Math.Max(0, store.CurrentRevision - 150);
            IStoreWatch watch = store.Watch("/w/", from);
            readers.Add((from, Task.Run(async () =>
            {
                await using (watch)
                {
                    return await ReadAsync(watch, (int)(Last - from));
                }
            })));
            await Task.Delay(1);
        }

        await writes;
        Assert.Equal(Last, store.CurrentRevision);
        foreach ((long from, Task<List<StoreEvent>> reader) in readers)
        {
            List<StoreEvent> events = await reader;
            Assert.Equal(Enumerable.Range((int)from + 1, (int)(Last - from)).Select(i => (long)i), events.Select(e => e.Revision));
        }
    }

    [Fact]
    public async Task Watches_on_overlapping_prefixes_each_get_exactly_their_events()
    {
        IStore store = await OpenAsync();
        string[] prefixes = ["/registry/", "/registry/pods/", "/registry/pods/ns1/", "/registry/pods/ns2/", "/registry/services/"];
        var watches = new List<(string Prefix, IStoreWatch Watch)>();
        for (int i = 0; i < 1000; i++)
        {
            string prefix = prefixes[i % prefixes.Length];
            watches.Add((prefix, store.Watch(prefix, 0)));
        }

        string[] keys = Enumerable.Range(0, 50).Select(i => (i % 3) switch
        {
            0 => $"/registry/pods/ns1/p{i}",
            1 => $"/registry/pods/ns2/p{i}",
            _ => $"/registry/services/ns1/s{i}",
        }).ToArray();
        await Task.WhenAll(keys.Select(k => store.CreateAsync(k, V(k))));

        foreach ((string prefix, IStoreWatch watch) in watches)
        {
            int expected = keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal));
            List<StoreEvent> events = await ReadAsync(watch, expected);
            Assert.All(events, e => Assert.StartsWith(prefix, e.Kv.Key, StringComparison.Ordinal));
            Assert.Equal(events.Select(e => e.Revision).Order(), events.Select(e => e.Revision));
            Assert.False(watch.Events.TryRead(out _));
            await watch.DisposeAsync();
        }
    }

    [Fact]
    public async Task Disposing_a_watch_completes_its_reader()
    {
        IStore store = await OpenAsync();
        IStoreWatch watch = store.Watch("/w/", 0);
        await watch.DisposeAsync();
        await store.CreateAsync("/w/a", V("a"));
        await watch.Events.Completion.WaitAsync(Patience);
        Assert.False(watch.Events.TryRead(out _));
    }

    [Fact]
    public async Task Cancelling_the_watch_token_completes_its_reader()
    {
        IStore store = await OpenAsync();
        using var cts = new CancellationTokenSource();
        await using IStoreWatch watch = store.Watch("/w/", 0, cts.Token);
        await cts.CancelAsync();
        await watch.Events.Completion.WaitAsync(Patience);
    }

    [Fact]
    public async Task Compaction_keeps_current_values_and_later_history()
    {
        IStore store = await OpenAsync();
        KeyValue a = await store.CreateAsync("/p/a", V("a1"));        // 1
        await store.CreateAsync("/p/b", V("b1"));                     // 2
        a = await store.UpdateAsync("/p/a", V("a2"), a.ModRevision);  // 3
        await store.DeleteAsync("/p/b");                              // 4
        await store.CreateAsync("/p/c", V("c1"));                     // 5
        KeyValue d = await store.CreateAsync("/p/d", V("d1"));        // 6
        await store.UpdateAsync("/p/d", V("d2"), d.ModRevision);      // 7
        await store.UpdateAsync("/p/a", V("a3"), a.ModRevision);      // 8

        await store.CompactAsync(6);
        Assert.Equal(6, store.CompactedRevision);
        Assert.Equal(8, store.CurrentRevision);

        ListResult now = await store.ListAsync("/p/");
        Assert.Equal([("/p/a", "a3"), ("/p/c", "c1"), ("/p/d", "d2")], now.Items.Select(i => (i.Key, S(i.Value))));
        Assert.Equal("c1", S((await store.GetAsync("/p/c"))!.Value));

        ListResult at6 = await store.ListAsync("/p/", revision: 6);
        Assert.Equal([("/p/a", "a2", 3L), ("/p/c", "c1", 5L), ("/p/d", "d1", 6L)], at6.Items.Select(i => (i.Key, S(i.Value), i.ModRevision)));
        ListResult at7 = await store.ListAsync("/p/", revision: 7);
        Assert.Equal([("/p/a", "a2"), ("/p/c", "c1"), ("/p/d", "d2")], at7.Items.Select(i => (i.Key, S(i.Value))));

        await Assert.ThrowsAsync<CompactedException>(() => store.ListAsync("/p/", revision: 5));
        Assert.Throws<CompactedException>(() => store.Watch("/p/", 5));

        await using IStoreWatch watch = store.Watch("/p/", 6);
        List<StoreEvent> events = await ReadAsync(watch, 2);
        Assert.Equal([7L, 8L], events.Select(e => e.Revision));
        Assert.Equal(("d1", 6L), (S(events[0].Previous!.Value), events[0].Previous!.ModRevision));
        Assert.Equal(("a2", 3L), (S(events[1].Previous!.Value), events[1].Previous!.ModRevision));

        // Compacting again, to an older or the same revision, changes nothing; a future one is refused.
        await store.CompactAsync(3);
        await store.CompactAsync(6);
        Assert.Equal(6, store.CompactedRevision);
        await Assert.ThrowsAsync<FutureRevisionException>(() => store.CompactAsync(9));

        await store.CompactAsync(8);
        Assert.Equal([("/p/a", "a3"), ("/p/c", "c1"), ("/p/d", "d2")], (await store.ListAsync("/p/", revision: 8)).Items.Select(i => (i.Key, S(i.Value))));

        // Writes after compaction keep counting from where they were.
        KeyValue e = await store.CreateAsync("/p/e", V("e1"));
        Assert.Equal(9, e.ModRevision);
    }

    [Fact]
    public async Task Concurrent_creates_get_distinct_contiguous_revisions()
    {
        IStore store = await OpenAsync();
        const int Tasks = 64;
        const int PerTask = 50;
        long[][] results = await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            long[] mine = new long[PerTask];
            for (int i = 0; i < PerTask; i++)
            {
                mine[i] = (await store.CreateAsync($"/c/{t}/{i}", V($"{t}/{i}"))).ModRevision;
            }

            return mine;
        })));

        long[] all = results.SelectMany(r => r).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, Tasks * PerTask).Select(i => (long)i), all);
        Assert.Equal(Tasks * PerTask, store.CurrentRevision);
        Assert.All(results, r => Assert.Equal(r.Order(), r)); // each task's writes are ordered
        Assert.Equal(Tasks * PerTask, await store.CountAsync("/c/"));
    }

    [Fact]
    public async Task Only_one_of_many_concurrent_updates_with_the_same_revision_wins()
    {
        IStore store = await OpenAsync();
        for (int round = 0; round < 5; round++)
        {
            string key = $"/u/{round}";
            KeyValue kv = await store.CreateAsync(key, V("start"));
            Task<KeyValue>[] updates = Enumerable.Range(0, 32)
                .Select(i => Task.Run(() => store.UpdateAsync(key, V($"writer {i}"), kv.ModRevision)))
                .ToArray();
            await Task.WhenAll(updates.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

            KeyValue winner = await Assert.Single(updates, t => t.IsCompletedSuccessfully);
            Assert.All(updates.Where(t => !t.IsCompletedSuccessfully), t =>
            {
                var ex = Assert.IsType<RevisionMismatchException>(t.Exception!.InnerException);
                Assert.Equal(winner.ModRevision, ex.Current.ModRevision);
            });
            Assert.Equal(S(winner.Value), S((await store.GetAsync(key))!.Value));
        }
    }

    [Fact]
    public async Task A_watcher_that_does_not_read_is_cut_off_without_blocking_writers()
    {
        IStore store = await OpenAsync();
        IStoreWatch slow = store.Watch("/s/", 0);
        await using IStoreWatch fast = store.Watch("/s/", 0);
        var received = new List<long>();
        Task reader = Task.Run(async () =>
        {
            await foreach (StoreEvent e in fast.Events.ReadAllAsync())
            {
                received.Add(e.Revision);
                if (received.Count == SlowWatcherWrites)
                {
                    return;
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (int i = w; i < SlowWatcherWrites; i += 16)
            {
                await store.CreateAsync($"/s/{i}", V("v"));
            }
        }))).WaitAsync(Patience);

        // The slow reader still gets what was buffered, in order, then the error.
        var buffered = new List<long>();
        var ex = await Assert.ThrowsAsync<CompactedException>(async () =>
        {
            await foreach (StoreEvent e in slow.Events.ReadAllAsync().WithCancellation(new CancellationTokenSource(Patience).Token))
            {
                buffered.Add(e.Revision);
            }
        });
        Assert.NotEmpty(buffered);
        Assert.True(buffered.Count < SlowWatcherWrites);
        Assert.Equal(Enumerable.Range(1, buffered.Count).Select(i => (long)i), buffered);
        Assert.NotNull(ex.Message);
        await slow.DisposeAsync();

        await reader.WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(1, SlowWatcherWrites).Select(i => (long)i), received);
    }

    [Fact]
    public async Task A_watcher_that_does_not_read_while_catching_up_is_cut_off_too()
    {
        IStore store = await OpenAsync();
        await Task.WhenAll(Enumerable.Range(0, SlowWatcherWrites).Select(i => store.CreateAsync($"/h/{i}", V("old"))));

        IStoreWatch slow = store.Watch("/h/", 1);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (int i = w; i < SlowWatcherWrites; i += 16)
            {
                await store.CreateAsync($"/h/new/{i}", V("new"));
            }
        }))).WaitAsync(Patience);

        var buffered = new List<long>();
        await Assert.ThrowsAsync<CompactedException>(async () =>
        {
            await foreach (StoreEvent e in slow.Events.ReadAllAsync().WithCancellation(new CancellationTokenSource(Patience).Token))
            {
                buffered.Add(e.Revision);
            }
        });
        Assert.Equal(Enumerable.Range(2, buffered.Count).Select(i => (long)i), buffered);
        await slow.DisposeAsync();
    }

    protected static async Task<List<StoreEvent>> ReadAsync(IStoreWatch watch, int count)
    {
        using var cts = new CancellationTokenSource(Patience);
        var events = new List<StoreEvent>(count);
        while (events.Count < count)
        {
            events.Add(await watch.Events.ReadAsync(cts.Token));
        }

        return events;
    }
}
