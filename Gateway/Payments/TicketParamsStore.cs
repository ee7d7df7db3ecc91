using Google.Protobuf;
using System.Collections.Concurrent;
using LivepeerAspire.Gateway.SharedState;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LivepeerAspire.Gateway.Payments;

/// <summary>
/// The OrchestratorInfo (ticket params, auth token) a gateway fetched to pay an orchestrator for one (pipeline, model),
/// keyed <c>serviceUri|manifestId</c>: kept in this process by default, shared by replicas through Redis.
/// </summary>
public interface ITicketParamsStore
{
    ValueTask<OrchestratorInfo?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Fresh params for <paramref name="key"/>: fetched with <paramref name="fetch"/>, or taken from another replica's
    /// refresh when that one is <paramref name="usable"/>.
    /// </summary>
    Task<OrchestratorInfo> RefreshAsync(string key, Func<CancellationToken, Task<OrchestratorInfo>> fetch, Func<OrchestratorInfo, bool> usable, CancellationToken cancellationToken);
}

/// <summary>One process: every refresh fetches, and the answer is kept until the next refresh.</summary>
internal sealed class LocalTicketParamsStore : ITicketParamsStore
{
    private readonly ConcurrentDictionary<string, OrchestratorInfo> fresh = new(StringComparer.Ordinal);

    public ValueTask<OrchestratorInfo?> GetAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(fresh.TryGetValue(key, out var info) ? info : null);

    public async Task<OrchestratorInfo> RefreshAsync(string key, Func<CancellationToken, Task<OrchestratorInfo>> fetch, Func<OrchestratorInfo, bool> usable, CancellationToken cancellationToken)
    {
        var info = await fetch(cancellationToken).ConfigureAwait(false);
        fresh[key] = info;
        return info;
    }
}

/// <summary>
/// Replicas refresh an orchestrator's params once and share them: the replica that wins a short Redis lock fetches and
/// publishes; the others wait briefly for its answer and take it. Reads go through a local cache of
/// <see cref="SharedStateOptions.ParamsCacheTime"/>. Every params that is (or may be) in Redis is handed to
/// <see cref="RedisSenderNonces.MarkShared"/> before use, so its nonces come from Redis only. While Redis is away a
/// replica fetches params for itself (private, its nonces local) and publishes nothing.
/// </summary>
internal sealed class RedisTicketParamsStore(SharedRedis redis, RedisSenderNonces nonces, IOptions<SharedStateOptions> options, TimeProvider time,
    ILogger<RedisTicketParamsStore> logger) : ITicketParamsStore
{
    private static readonly TimeSpan LockTime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PublishedTime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan WaitForPeer = TimeSpan.FromSeconds(3);

    /// <summary>A published value is the generation (32 hex digits) followed by the OrchestratorInfo's protobuf bytes.</summary>
    private const int GenerationLength = 32;

    // KEYS[1] params, KEYS[2] generation; ARGV: protobuf, ttl ms, a new generation if Redis has none. Returns the generation.
    private const string Publish = """
        local g = redis.call('GET', KEYS[2])
        if not g then
          g = ARGV[3]
          redis.call('SET', KEYS[2], g)
        end
        redis.call('SET', KEYS[1], g .. ARGV[1], 'PX', ARGV[2])
        return g
        """;

    private readonly ConcurrentDictionary<string, (OrchestratorInfo Info, DateTimeOffset ReadAt)> cache = new(StringComparer.Ordinal);

    public async ValueTask<OrchestratorInfo?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hit = cache.TryGetValue(key, out var entry);
        if (hit && now - entry.ReadAt < options.Value.ParamsCacheTime)
        {
            return entry.Info;
        }

        var published = await ReadAsync(key).ConfigureAwait(false);
        if (published is not null)
        {
            cache[key] = (published, now);
            return published;
        }

        return hit ? entry.Info : null;
    }

    public async Task<OrchestratorInfo> RefreshAsync(string key, Func<CancellationToken, Task<OrchestratorInfo>> fetch, Func<OrchestratorInfo, bool> usable, CancellationToken cancellationToken)
    {
        var lockKey = redis.Key("params-lock", key);
        var token = Guid.NewGuid().ToString("N");
        var (ok, won) = await redis.TryAsync("locking a params refresh", db => db.StringSetAsync(lockKey, token, LockTime, When.NotExists)).ConfigureAwait(false);
        if (!ok)
        {
            return await PrivateAsync(key, fetch, cancellationToken).ConfigureAwait(false);
        }

        if (won)
        {
            try
            {
                var info = await fetch(cancellationToken).ConfigureAwait(false);
                if (Decode(info) is { } parameters)
                {
                    var candidate = Guid.NewGuid().ToString("N");
                    var (published, generation) = await redis.TryAsync("publishing ticket params", db => db.ScriptEvaluateAsync(Publish,
                        [redis.Key("params", key), nonces.GenerationKey], [info.ToByteArray(), (long)PublishedTime.TotalMilliseconds, candidate])).ConfigureAwait(false);
                    if (!published || generation is null)
                    {
                        // The write may have landed without this replica hearing of it: never sign on these params again.
                        return await PrivateAsync(key, fetch, cancellationToken).ConfigureAwait(false);
                    }

                    nonces.MarkShared(parameters, (string)generation!);
                }

                return Keep(key, info);
            }
            finally
            {
                await redis.TryAsync("releasing a params lock", db => db.ScriptEvaluateAsync(
                    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", [lockKey], [token])).ConfigureAwait(false);
            }
        }

        // Another replica is refreshing: take its answer once it is there and usable, else fetch for ourselves.
        var until = time.GetUtcNow() + WaitForPeer;
        while (time.GetUtcNow() < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
            if (await ReadAsync(key).ConfigureAwait(false) is { } peer && usable(peer))
            {
                return Keep(key, peer);
            }
        }

        return await PrivateAsync(key, fetch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Params fetched for this replica alone and never published: their nonces stay local.</summary>
    private async Task<OrchestratorInfo> PrivateAsync(string key, Func<CancellationToken, Task<OrchestratorInfo>> fetch, CancellationToken cancellationToken) =>
        Keep(key, await fetch(cancellationToken).ConfigureAwait(false));

    private OrchestratorInfo Keep(string key, OrchestratorInfo info)
    {
        cache[key] = (info, time.GetUtcNow());
        return info;
    }

    /// <summary>The published params, marked shared; null when absent, unreadable (warned) or Redis is away.</summary>
    private async Task<OrchestratorInfo?> ReadAsync(string key)
    {
        var redisKey = redis.Key("params", key);
        var (ok, value) = await redis.TryAsync("reading ticket params", db => db.StringGetAsync(redisKey)).ConfigureAwait(false);
        if (!ok || value.IsNull)
        {
            return null;
        }

        OrchestratorInfo info;
        var bytes = (byte[])value!;
        if (bytes.Length < GenerationLength)
        {
            logger.LogWarning("ignoring Redis key {Key}: too short to hold published ticket params (hand-edited?); this replica refreshes the params itself", redisKey);
            return null;
        }

        var generation = System.Text.Encoding.ASCII.GetString(bytes, 0, GenerationLength);
        try
        {
            info = OrchestratorInfo.Parser.ParseFrom(bytes.AsSpan(GenerationLength));
        }
        catch (InvalidProtocolBufferException e)
        {
            logger.LogWarning("ignoring Redis key {Key}: not published ticket params ({Error}); this replica refreshes the params itself", redisKey, e.Message);
            return null;
        }

        if (Decode(info) is not { } parameters)
        {
            logger.LogWarning("ignoring Redis key {Key}: its ticket params cannot be decoded; this replica refreshes the params itself", redisKey);
            return null;
        }

        nonces.MarkShared(parameters, generation);
        return info;
    }

    private static TicketParameters? Decode(OrchestratorInfo info) =>
        TicketParameters.TryDecode(info.TicketParams, info.TicketParams?.ExpirationParams, out var parameters, out _) ? parameters : null;
}
