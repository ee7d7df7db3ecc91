namespace LivepeerAspire.Gateway.SharedState;

/// <summary>
/// Configuration section <c>SharedState</c>: what gateway replicas share through Redis (<c>ConnectionStrings:redis</c>).
/// Without a connection string every piece of state stays in this process, as before.
/// </summary>
public sealed class SharedStateOptions
{
    public const string Section = "SharedState";

    /// <summary>The connection string's name: <c>ConnectionStrings:redis</c> (Aspire's <c>WithReference(redis)</c>).</summary>
    public const string ConnectionName = "redis";

    /// <summary>
    /// false: a connection string that cannot be read, or a Redis that does not answer at start, refuses start. true:
    /// the gateway starts on local state and uses Redis once it answers. Either way, a Redis lost at run time is
    /// survived on local state (docs/gateway.md "Scale-out").
    /// </summary>
    public bool RedisOptional { get; set; }

    /// <summary>Prefix of every key this gateway writes; replicas that share state must share it.</summary>
    public string KeyPrefix { get; set; } = "livepeer-gateway:";

    /// <summary>How long a command may take before the replica treats Redis as away and serves from local state.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long ticket params read from Redis are reused locally before they are read again.</summary>
    public TimeSpan ParamsCacheTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Nonces a replica takes from Redis at once on shared params (one round-trip per block, not per ticket).</summary>
    public int NonceBlock { get; set; } = 8;

    /// <summary>Fold every replica's speed samples into adaptive's estimates (false: each replica learns from its own jobs only).</summary>
    public bool ShareSpeeds { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(KeyPrefix))
        {
            yield return "SharedState:KeyPrefix must not be empty; replicas sharing state must use the same prefix";
        }

        if (CommandTimeout <= TimeSpan.Zero)
        {
            yield return $"SharedState:CommandTimeout must be positive (got {CommandTimeout})";
        }

        if (ParamsCacheTime < TimeSpan.Zero)
        {
            yield return $"SharedState:ParamsCacheTime must not be negative (got {ParamsCacheTime})";
        }

        if (NonceBlock is < 1 or > 100)
        {
            yield return $"SharedState:NonceBlock must be between 1 and 100 (got {NonceBlock})";
        }
    }
}
