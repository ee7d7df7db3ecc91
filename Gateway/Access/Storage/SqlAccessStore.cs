using System.Data.Common;
using System.Globalization;
using System.Numerics;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LivepeerAspire.Gateway.Access.Storage;

/// <summary>
/// The access database over ADO.NET and Dapper, on SQLite (embedded) or PostgreSQL. The schema is a handful of
/// portable statements, so one set of SQL serves both; only the usage table's identity column differs.
/// </summary>
public sealed class SqlAccessStore : IAccessStore, IAsyncDisposable
{
    private readonly Func<DbConnection> connect;
    private readonly NpgsqlDataSource? postgres;
    private readonly bool isPostgres;

    public SqlAccessStore(string provider, string connectionString)
    {
        isPostgres = provider.Equals("postgres", StringComparison.OrdinalIgnoreCase);
        if (isPostgres)
        {
            postgres = NpgsqlDataSource.Create(connectionString);
            connect = postgres.CreateConnection;
        }
        else
        {
            var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, DefaultTimeout = 30 };
            if (Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { } dir && builder.DataSource != ":memory:")
            {
                Directory.CreateDirectory(dir);
            }

            var cs = builder.ToString();
            connect = () => new SqliteConnection(cs);
        }
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!isPostgres)
        {
            await db.ExecuteAsync("PRAGMA journal_mode=WAL;").ConfigureAwait(false);
        }

        await db.ExecuteAsync("CREATE TABLE IF NOT EXISTS access_schema (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)").ConfigureAwait(false);
        var applied = (await db.QueryAsync<long>("SELECT version FROM access_schema").ConfigureAwait(false)).ToHashSet();
        foreach (var migration in AccessMigrations.All)
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            await using var tx = await db.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var statement in migration.Statements(isPostgres))
            {
                await db.ExecuteAsync(new CommandDefinition(statement, transaction: tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await db.ExecuteAsync(new CommandDefinition("INSERT INTO access_schema (version, applied_ms) VALUES (@v, @t)",
                new { v = migration.Version, t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task InsertKeyAsync(AccessKey key, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await db.ExecuteAsync(new CommandDefinition(
                "INSERT INTO access_keys (id, name, key_hash, budget, requests_per_minute, tokens_per_minute, created_ms, revoked_ms) VALUES (@Id, @Name, @KeyHash, @Budget, @RequestsPerMinute, @TokensPerMinute, @Created, NULL)",
                new { key.Id, key.Name, key.KeyHash, key.Budget, key.RequestsPerMinute, key.TokensPerMinute, Created = key.Created.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw new DuplicateKeyNameException(key.Name);
        }
    }

    public async Task<IReadOnlyList<AccessKey>> KeysAsync(CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.QueryAsync<KeyRow>(new CommandDefinition(KeySelect + " ORDER BY created_ms, name", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToKey()).ToList();
    }

    public async Task<AccessKey?> FindByHashAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(KeySelect + " WHERE key_hash = @keyHash", new { keyHash }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToKey();
    }

    public async Task<bool> RevokeAsync(string name, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var found = await db.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM access_keys WHERE name = @name", new { name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await db.ExecuteAsync(new CommandDefinition("UPDATE access_keys SET revoked_ms = @at WHERE name = @name AND revoked_ms IS NULL",
            new { name, at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return found > 0;
    }

    public async Task InsertUsageAsync(IReadOnlyList<UsageRecord> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO access_usage (key_id, at_ms, pipeline, model, orchestrator, attempts, fee_wei, latency_ms, status, outcome) VALUES (@KeyId, @At, @Pipeline, @Model, @Orchestrator, @Attempts, @Fee, @LatencyMs, @Status, @Outcome)",
            rows.Select(r => new
            {
                r.KeyId,
                At = r.At.ToUnixTimeMilliseconds(),
                r.Pipeline,
                r.Model,
                r.Orchestrator,
                r.Attempts,
                Fee = (long)r.FeeWei,
                r.LatencyMs,
                r.Status,
                r.Outcome,
            }),
            tx,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, BigInteger>> SpentByKeyAsync(CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.QueryAsync(new CommandDefinition("SELECT key_id, SUM(fee_wei) AS fee FROM access_usage GROUP BY key_id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Cast<IDictionary<string, object>>().ToDictionary(r => (string)r["key_id"], r => Big(r["fee"]), StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<UsageTotal>> TotalsAsync(DateTimeOffset from, DateTimeOffset to, long periodMilliseconds, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.QueryAsync(new CommandDefinition(
            """
            SELECT key_id, (at_ms / @period) * @period AS period_ms, COUNT(*) AS jobs,
                   SUM(CASE WHEN status = 200 THEN 1 ELSE 0 END) AS succeeded, SUM(fee_wei) AS fee, AVG(latency_ms) AS latency
            FROM access_usage WHERE at_ms >= @from AND at_ms < @to
            GROUP BY 1, 2 ORDER BY 2, 1
            """,
            new { period = periodMilliseconds, from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Cast<IDictionary<string, object>>()
            .Select(r => new UsageTotal(
                (string)r["key_id"],
                DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(r["period_ms"], CultureInfo.InvariantCulture)),
                Convert.ToInt64(r["jobs"], CultureInfo.InvariantCulture),
                Convert.ToInt64(r["succeeded"], CultureInfo.InvariantCulture),
                Big(r["fee"]),
                Convert.ToDouble(r["latency"], CultureInfo.InvariantCulture)))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (postgres is not null)
        {
            await postgres.DisposeAsync().ConfigureAwait(false);
        }
    }

    private const string KeySelect =
        "SELECT id AS Id, name AS Name, key_hash AS KeyHash, budget AS Budget, requests_per_minute AS RequestsPerMinute, tokens_per_minute AS TokensPerMinute, created_ms AS CreatedMs, revoked_ms AS RevokedMs FROM access_keys";

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var db = connect();
        try
        {
            await db.OpenAsync(cancellationToken).ConfigureAwait(false);
            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static bool IsUniqueViolation(DbException e) =>
        e is SqliteException { SqliteErrorCode: 19 } || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    private static BigInteger Big(object value) =>
        value is null or DBNull ? BigInteger.Zero : BigInteger.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private sealed class KeyRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public string KeyHash { get; set; } = "";

        public string? Budget { get; set; }

        public long? RequestsPerMinute { get; set; }

        public long? TokensPerMinute { get; set; }

        public long CreatedMs { get; set; }

        public long? RevokedMs { get; set; }

        public AccessKey ToKey() => new()
        {
            Id = Id,
            Name = Name,
            KeyHash = KeyHash,
            Budget = Budget,
            RequestsPerMinute = (int?)RequestsPerMinute,
            TokensPerMinute = (int?)TokensPerMinute,
            Created = DateTimeOffset.FromUnixTimeMilliseconds(CreatedMs),
            Revoked = RevokedMs is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null,
        };
    }
}
