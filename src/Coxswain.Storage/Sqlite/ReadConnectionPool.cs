namespace Coxswain.Storage.Sqlite;

/// <summary>A fixed set of read connections; a caller rents one, reads, and returns it. Never hands out the writer's.</summary>
internal sealed class ReadConnectionPool : IDisposable
{
    private readonly ReadConnection[] _idle;
    private readonly SemaphoreSlim _slots;
    private readonly int _size;
    private int _idleCount;
    private bool _closed;

    public ReadConnectionPool(string path, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _size = size;
        _idle = new ReadConnection[size];
        _slots = new SemaphoreSlim(size, size);
        try
        {
            for (; _idleCount < size; _idleCount++)
            {
                _idle[_idleCount] = new ReadConnection(path);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Rents a connection without waiting, if one is free.</summary>
    public bool TryRent(out ReadConnection connection)
    {
        if (_slots.Wait(0))
        {
            connection = Take();
            return true;
        }

        connection = null!;
        return false;
    }

    public async ValueTask<ReadConnection> RentAsync(CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        return Take();
    }

    public void Return(ReadConnection connection)
    {
        lock (_idle)
        {
            _idle[_idleCount++] = connection;
        }

        _slots.Release();
    }

    /// <summary>
    /// Refuses new renters, waits until every connection is back, then closes them all.
    /// Callers still waiting for a connection then get an <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async Task CloseAsync()
    {
        lock (_idle)
        {
            _closed = true;
        }

        for (int i = 0; i < _size; i++)
        {
            await _slots.WaitAsync().ConfigureAwait(false);
        }

        Dispose();
        _slots.Release(_size);
    }

    public void Dispose()
    {
        lock (_idle)
        {
            for (int i = 0; i < _idleCount; i++)
            {
                _idle[i].Dispose();
                _idle[i] = null!;
            }

            _idleCount = 0;
        }
    }

    private ReadConnection Take()
    {
        lock (_idle)
        {
            if (_closed)
            {
                _slots.Release();
                throw new ObjectDisposedException(nameof(SqliteStore));
            }

            ReadConnection c = _idle[--_idleCount];
            _idle[_idleCount] = null!;
            return c;
        }
    }
}
