using Coxswain.Storage.Sqlite;

namespace Coxswain.Storage.Tests.Sqlite;

public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly TempDirectory _dir;

    public SqliteStoreContractTests()
        : this(new TempDirectory())
    {
    }

    private SqliteStoreContractTests(TempDirectory dir)
        : base(async () => await SqliteStore.OpenAsync(new SqliteStoreOptions(dir.NewFile())
        {
            CompactionInterval = Timeout.InfiniteTimeSpan,
            WatchBufferCapacity = 64,
        }))
    {
        _dir = dir;
    }

    protected override int SlowWatcherWrites => 300;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Dispose();
    }
}
