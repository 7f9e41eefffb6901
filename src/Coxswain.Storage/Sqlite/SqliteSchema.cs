using Microsoft.Data.Sqlite;

namespace Coxswain.Storage.Sqlite;

/// <summary>
/// The tables, kine-style: <c>log</c> is append-only and its INTEGER PRIMARY KEY is the revision (one row per create,
/// update or delete; a delete row carries the last value); <c>current</c> maps each live key to its newest row and is
/// kept in the same transaction, so Get and List at the current revision never scan history; <c>meta</c> holds the
/// newest and the compacted revision, so both survive restarts and compaction.
/// </summary>
internal static class SqliteSchema
{
    public const long Version = 1;

    private const string CreateSql = """
        CREATE TABLE IF NOT EXISTS log (
            revision        INTEGER PRIMARY KEY,
            key             TEXT    NOT NULL,
            create_revision INTEGER NOT NULL,
            prev_revision   INTEGER NOT NULL,
            deleted         INTEGER NOT NULL,
            value           BLOB    NOT NULL
        );
        CREATE INDEX IF NOT EXISTS log_key_revision ON log (key, revision);
        CREATE TABLE IF NOT EXISTS current (
            key             TEXT    NOT NULL PRIMARY KEY,
            mod_revision    INTEGER NOT NULL,
            create_revision INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS meta (
            id             INTEGER PRIMARY KEY CHECK (id = 1),
            schema_version INTEGER NOT NULL,
            revision       INTEGER NOT NULL,
            compacted      INTEGER NOT NULL
        );
        INSERT OR IGNORE INTO meta (id, schema_version, revision, compacted) VALUES (1, 1, 0, 0);
        """;

    /// <summary>Opens the connection that does every write and sets it up for durable WAL commits.</summary>
    public static SqliteConnection OpenWriter(string path)
    {
        var db = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadWriteCreate));
        db.Open();
        try
        {
            Execute(db, "PRAGMA journal_mode = WAL;");
            Execute(db, """
                PRAGMA synchronous = FULL;
                PRAGMA wal_autocheckpoint = 0;
                PRAGMA busy_timeout = 50;
                PRAGMA cache_size = -65536;
                PRAGMA temp_store = MEMORY;
                PRAGMA journal_size_limit = 67108864;
                """);
            Execute(db, "BEGIN IMMEDIATE;" + CreateSql + "COMMIT;");
            using SqliteCommand check = db.CreateCommand();
            check.CommandText = "SELECT schema_version FROM meta WHERE id = 1";
            long version = (long)check.ExecuteScalar()!;
            if (version != Version)
            {
                throw new StoreException($"'{path}' has storage schema version {version}; this build knows version {Version}");
            }

            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>Opens the connection that runs background checkpoints (see <see cref="WalCheckpointer"/>).</summary>
    public static SqliteConnection OpenCheckpointer(string path)
    {
        var db = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadWrite));
        db.Open();
        Execute(db, "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;");
        return db;
    }

    /// <summary>Opens a read-only connection; with WAL it reads a consistent snapshot while the writer commits.</summary>
    public static SqliteConnection OpenReader(string path)
    {
        var db = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadOnly));
        db.Open();
        Execute(db, "PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;");
        return db;
    }

    public static (long Revision, long Compacted) ReadMeta(SqliteConnection db)
    {
        using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = "SELECT revision, compacted FROM meta WHERE id = 1";
        using SqliteDataReader r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    private static string ConnectionString(string path, SqliteOpenMode mode) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        Cache = SqliteCacheMode.Private,
        Pooling = false, // the store keeps its own connections open; disposing must release the file
    }.ToString();

    private static void Execute(SqliteConnection db, string sql)
    {
        using SqliteCommand cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
