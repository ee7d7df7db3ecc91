using System.Numerics;

namespace LivepeerAspire.Gateway.Access.Storage;

/// <summary>The access database: keys (hashed), usage rows, and the totals the admin API reports.</summary>
public interface IAccessStore
{
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new key; <see cref="DuplicateKeyNameException"/> when the name is taken.</summary>
    Task InsertKeyAsync(AccessKey key, CancellationToken cancellationToken);

    Task<IReadOnlyList<AccessKey>> KeysAsync(CancellationToken cancellationToken);

    Task<AccessKey?> FindByHashAsync(string keyHash, CancellationToken cancellationToken);

    /// <summary>Marks the key revoked (first revocation time kept); false when no key has that name.</summary>
    Task<bool> RevokeAsync(string name, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Writes the rows in one transaction: all or none.</summary>
    Task InsertUsageAsync(IReadOnlyList<UsageRecord> rows, CancellationToken cancellationToken);

    /// <summary>Key id → the sum of its recorded fees (what its budget is checked against after a restart).</summary>
    Task<IReadOnlyDictionary<string, BigInteger>> SpentByKeyAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<UsageTotal>> TotalsAsync(DateTimeOffset from, DateTimeOffset to, long periodMilliseconds, CancellationToken cancellationToken);
}

/// <summary>One finished job as the usage table keeps it.</summary>
public sealed record UsageRecord(
    string KeyId,
    DateTimeOffset At,
    string Pipeline,
    string Model,
    string? Orchestrator,
    int Attempts,
    BigInteger FeeWei,
    double LatencyMs,
    int Status,
    string Outcome);

public sealed record UsageTotal(string KeyId, DateTimeOffset PeriodStart, long Jobs, long Succeeded, BigInteger FeeWei, double MeanLatencyMs);

public sealed class DuplicateKeyNameException(string name) : Exception($"a key named '{name}' already exists; names are unique, revoked keys included")
{
    public string Name { get; } = name;
}
