using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LivepeerAspire.Gateway.SharedState;

/// <summary>
/// The replica's view of the shared Redis: whether to ask it at all (connected, and no command failed in the last
/// second), its database and key prefix, and one place that turns a lost or slow Redis into "serve from local state"
/// with one warning when it goes away and one line when it is back.
/// </summary>
internal sealed class SharedRedis(IConnectionMultiplexer connection, IOptions<SharedStateOptions> options, TimeProvider time, ILogger<SharedRedis> logger)
{
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);
    private long awayUntilTicks;
    private int away;

    public string Prefix { get; } = options.Value.KeyPrefix;

    public IDatabase Database => connection.GetDatabase();

    public bool Available
    {
        get
        {
            if (!connection.IsConnected || time.GetUtcNow().UtcTicks < Interlocked.Read(ref awayUntilTicks))
            {
                return false;
            }

            if (Interlocked.Exchange(ref away, 0) == 1)
            {
                logger.LogInformation("Redis answers again: shared state (nonces, ticket params, async results) is used again");
            }

            return true;
        }
    }

    /// <summary>Runs <paramref name="command"/>; a Redis that is away or too slow gives <c>(false, default)</c> and a back-off.</summary>
    public async Task<(bool Ok, T? Value)> TryAsync<T>(string what, Func<IDatabase, Task<T>> command)
    {
        if (!Available)
        {
            return (false, default);
        }

        try
        {
            return (true, await command(Database).WaitAsync(options.Value.CommandTimeout).ConfigureAwait(false));
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            Interlocked.Exchange(ref awayUntilTicks, (time.GetUtcNow() + Backoff).UtcTicks);
            if (Interlocked.Exchange(ref away, 1) == 0)
            {
                logger.LogWarning("Redis is away ({What}: {Error}): serving from local state until it answers", what, e.Message);
            }

            return (false, default);
        }
    }

    public string Key(string kind, string id) => $"{Prefix}{kind}:{id}";
}
