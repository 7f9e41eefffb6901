using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Coxswain.Storage.Sqlite;

/// <summary>
/// The current value of every live key, in memory, so that a read of the latest value (the most frequent request an API
/// server answers) costs a dictionary lookup instead of a SQLite transaction. Loaded once when the store opens; after
/// that only the writer changes it, after a commit and before it acknowledges the writes, so a read never misses an
/// acknowledged write. etcd serves reads from memory in the same way (its index is in memory, its values in the page cache).
/// </summary>
internal sealed class CurrentValues
{
    private readonly ConcurrentDictionary<string, KeyValue> _values = new(StringComparer.Ordinal);

    public int Count => _values.Count;

    public static CurrentValues Load(SqliteConnection db)
    {
        var current = new CurrentValues();
        using SqliteCommand all = db.CreateCommand();
        all.CommandText = "SELECT c.key, c.create_revision, c.mod_revision, l.value FROM current c JOIN log l ON l.revision = c.mod_revision";
        using SqliteDataReader r = all.ExecuteReader();
        while (r.Read())
        {
            string key = r.GetString(0);
            byte[] value = r.IsDBNull(3) ? [] : (byte[])r.GetValue(3);
            current._values[key] = new KeyValue(key, value, r.GetInt64(1), r.GetInt64(2));
        }

        return current;
    }

    public KeyValue? Get(string key) => _values.TryGetValue(key, out KeyValue? kv) ? kv : null;

    /// <summary>Applies committed events, in order (writer thread only).</summary>
    public void Apply(List<StoreEvent> committed)
    {
        foreach (StoreEvent e in committed)
        {
            if (e.Type == StoreEventType.Delete)
            {
                _values.TryRemove(e.Kv.Key, out _);
            }
            else
            {
                _values[e.Kv.Key] = e.Kv;
            }
        }
    }
}
