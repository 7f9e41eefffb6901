using Microsoft.Data.Sqlite;

namespace Coxswain.Storage.Sqlite;

/// <summary>
/// One read-only connection and its prepared statements. Used by one caller at a time (see <see cref="ReadConnectionPool"/>).
/// Multi-statement reads run inside BEGIN/COMMIT so they see one snapshot, including the revisions in <c>meta</c>.
/// </summary>
internal sealed class ReadConnection : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _meta;
    private readonly RangeCommands _bounded;
    private readonly RangeCommands _unbounded;

    public ReadConnection(string path)
    {
        _db = SqliteSchema.OpenReader(path);
        _begin = Command("BEGIN");
        _commit = Command("COMMIT");
        _meta = Command("SELECT revision, compacted FROM meta WHERE id = 1");
        _bounded = new RangeCommands(this, " AND {0} < $hi");
        _unbounded = new RangeCommands(this, "");
    }

    public ListResult List(string prefix, long revision, string? startKey, int limit)
    {
        string lo = startKey is not null && KeyRange.Compare(startKey, prefix) > 0 ? startKey : prefix;
        string? hi = KeyRange.PrefixEnd(prefix);
        RangeCommands range = hi is null ? _unbounded : _bounded;

        _begin.ExecuteNonQuery();
        try
        {
            (long current, long compacted) = ReadMeta();
            bool atCurrent = revision == 0 || revision == current;
            if (!atCurrent)
            {
                if (revision > current)
                {
                    throw new FutureRevisionException(revision, current);
                }

                if (revision < compacted)
                {
                    throw new CompactedException(compacted, revision);
                }
            }

            long at = atCurrent ? current : revision;
            var items = new List<KeyValue>(limit > 0 ? Math.Min(limit, 1024) : 16);
            if (hi is not null && KeyRange.Compare(lo, hi) >= 0)
            {
                return new ListResult(items, at, false, 0);
            }

            SqliteCommand list = atCurrent ? range.ListCurrent : range.ListAt;
            range.Bind(list, lo, hi, at, limit > 0 ? limit + 1L : -1L);
            using (SqliteDataReader r = list.ExecuteReader())
            {
                while (r.Read())
                {
                    items.Add(new KeyValue(r.GetString(0), ReadBlob(r, 3), r.GetInt64(1), r.GetInt64(2)));
                }
            }

            if (limit <= 0 || items.Count <= limit)
            {
                return new ListResult(items, at, false, 0);
            }

            items.RemoveAt(items.Count - 1);
            SqliteCommand count = atCurrent ? range.CountCurrent : range.CountAt;
            range.Bind(count, lo, hi, at, -1L);
            long total = (long)count.ExecuteScalar()!;
            return new ListResult(items, at, true, total - items.Count);
        }
        finally
        {
            _commit.ExecuteNonQuery();
        }
    }

    public long Count(string prefix)
    {
        string? hi = KeyRange.PrefixEnd(prefix);
        RangeCommands range = hi is null ? _unbounded : _bounded;
        range.Bind(range.CountCurrent, prefix, hi, 0, -1L);
        return (long)range.CountCurrent.ExecuteScalar()!;
    }

    /// <summary>See <see cref="IWatchHistory.ReadHistoryAsync"/>.</summary>
    public void ReadHistory(string prefix, long after, long upTo, int max, List<StoreEvent> into)
    {
        string? hi = KeyRange.PrefixEnd(prefix);
        RangeCommands range = hi is null ? _unbounded : _bounded;

        _begin.ExecuteNonQuery();
        try
        {
            (_, long compacted) = ReadMeta();
            if (after < compacted)
            {
                throw new CompactedException(compacted, after);
            }

            SqliteCommand history = range.History;
            range.Bind(history, prefix, hi, upTo, max);
            history.Parameters[4].Value = after;
            using SqliteDataReader r = history.ExecuteReader();
            while (r.Read())
            {
                long revision = r.GetInt64(0);
                string key = r.GetString(1);
                long createRevision = r.GetInt64(2);
                long prevRevision = r.GetInt64(3);
                byte[] value = ReadBlob(r, 5);
                if (r.GetInt64(4) != 0)
                {
                    into.Add(new StoreEvent(
                        StoreEventType.Delete,
                        new KeyValue(key, value, createRevision, revision),
                        new KeyValue(key, value, createRevision, prevRevision)));
                }
                else
                {
                    KeyValue? previous = prevRevision == 0 || r.IsDBNull(6)
                        ? null
                        : new KeyValue(key, ReadBlob(r, 6), createRevision, prevRevision);
                    into.Add(new StoreEvent(StoreEventType.Put, new KeyValue(key, value, createRevision, revision), previous));
                }
            }
        }
        finally
        {
            _commit.ExecuteNonQuery();
        }
    }

    public void Dispose() => _db.Dispose(); // disposes its commands too

    private (long Current, long Compacted) ReadMeta()
    {
        using SqliteDataReader r = _meta.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    private static byte[] ReadBlob(SqliteDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? [] : (byte[])r.GetValue(ordinal);

    private SqliteCommand Command(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        SqliteCommand cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach ((string name, SqliteType type) in parameters)
        {
            cmd.Parameters.Add(name, type);
        }

        return cmd;
    }

    /// <summary>
    /// The range statements, with or without an upper key bound (the empty prefix has none). They share one parameter
    /// layout ($lo, $hi, $rev, $limit); a statement ignores the ones it does not use.
    /// </summary>
    private sealed class RangeCommands
    {
        public RangeCommands(ReadConnection c, string upperBound)
        {
            string Hi(string column) => string.Format(System.Globalization.CultureInfo.InvariantCulture, upperBound, column);
            var p = new (string, SqliteType)[]
            {
                ("$lo", SqliteType.Text), ("$hi", SqliteType.Text), ("$rev", SqliteType.Integer), ("$limit", SqliteType.Integer),
            };

            ListCurrent = c.Command(
                $"""
                SELECT c.key, c.create_revision, c.mod_revision, l.value
                FROM current c JOIN log l ON l.revision = c.mod_revision
                WHERE c.key >= $lo{Hi("c.key")}
                ORDER BY c.key LIMIT $limit
                """,
                p);
            CountCurrent = c.Command($"SELECT COUNT(*) FROM current WHERE key >= $lo{Hi("key")}", p);

            // The newest row of each key at or before $rev, unless it is a delete. Written with NOT EXISTS rather than
            // GROUP BY so that SQLite streams it in key order from the (key, revision) index and stops at LIMIT.
            const string LatestAtRevision = "l.revision <= $rev AND l.deleted = 0 "
                + "AND NOT EXISTS (SELECT 1 FROM log n WHERE n.key = l.key AND n.revision > l.revision AND n.revision <= $rev)";
            ListAt = c.Command(
                $"""
                SELECT l.key, l.create_revision, l.revision, l.value FROM log l
                WHERE l.key >= $lo{Hi("l.key")} AND {LatestAtRevision}
                ORDER BY l.key LIMIT $limit
                """,
                p);
            CountAt = c.Command($"SELECT COUNT(*) FROM log l WHERE l.key >= $lo{Hi("l.key")} AND {LatestAtRevision}", p);

            // Scan by revision (the unary + keeps SQLite off the key index): a watch reads a short, recent revision window.
            History = c.Command(
                $"""
                SELECT l.revision, l.key, l.create_revision, l.prev_revision, l.deleted, l.value, p.value
                FROM log l LEFT JOIN log p ON p.revision = l.prev_revision AND l.deleted = 0
                WHERE l.revision > $after AND l.revision <= $rev AND +l.key >= $lo{Hi("+l.key")}
                ORDER BY l.revision LIMIT $limit
                """,
                [.. p, ("$after", SqliteType.Integer)]);
        }

        public SqliteCommand ListCurrent { get; }

        public SqliteCommand CountCurrent { get; }

        public SqliteCommand ListAt { get; }

        public SqliteCommand CountAt { get; }

        public SqliteCommand History { get; }

        public void Bind(SqliteCommand cmd, string lo, string? hi, long revision, long limit)
        {
            SqliteParameterCollection p = cmd.Parameters;
            p[0].Value = lo;
            p[1].Value = (object?)hi ?? DBNull.Value;
            p[2].Value = revision;
            p[3].Value = limit;
        }
    }
}
