using System.Collections.Concurrent;
using LivepeerAspire.Gateway.SharedState;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Payments;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LivepeerAspire.Gateway.Payments;

/// <summary>
/// Sender nonces across gateway replicas that share one ETH account. The rule: params some replica published to Redis
/// (<see cref="MarkShared"/>) get their nonces only from Redis, in blocks taken by one atomic script (a counter per
/// (sender, recipient, recipientRandHash), bounded by the 600 an orchestrator accepts), so no two replicas ever hold
/// the same nonce. Params a replica fetched for itself and never published are known to no one else (every
/// getOrchestrator answer has a fresh random seed), so their nonces stay local, off Redis. While Redis is away, shared
/// params give no nonces (the caller refreshes into private params); they are never counted locally, but nonces a
/// replica already holds in its block stay its own. Redis keeps nothing on disk, so a restarted Redis has lost every
/// counter: each published params carries the generation (a random id in Redis) it was published under, and params of
/// an older generation give no nonces again, anywhere.
/// </summary>
internal sealed class RedisSenderNonces(SharedRedis redis, EthAccount account, IOptions<SharedStateOptions> options, ILogger<RedisSenderNonces> logger)
    : ISenderNonces
{
    // KEYS[1] counter, KEYS[2] generation; ARGV: wanted, needed, max, ttl seconds, generation.
    // Returns {last, granted}; {-1, current} exhausted; {-2, 0} malformed; {-3, 0} published under a lost generation.
    private const string Reserve = """
        if redis.call('GET', KEYS[2]) ~= ARGV[5] then return {-3, 0} end
        local raw = redis.call('GET', KEYS[1])
        local cur = 0
        if raw then
          cur = tonumber(raw)
          if cur == nil or cur < 0 or cur ~= math.floor(cur) then return {-2, 0} end
        end
        local want = tonumber(ARGV[1])
        local need = tonumber(ARGV[2])
        local max = tonumber(ARGV[3])
        if cur + want > max then want = max - cur end
        if want < need then return {-1, cur} end
        redis.call('SET', KEYS[1], cur + want, 'EX', ARGV[4])
        return {cur + want, want}
        """;

    private static readonly TimeSpan CounterTtl = TimeSpan.FromHours(1);

    private readonly LocalSenderNonces local = new();
    private readonly ConcurrentDictionary<string, Shared> shared = new(StringComparer.Ordinal);
    private readonly string sender = account.Address.ToLowerHex();

    /// <summary>
    /// These params are (or may be) in Redis under <paramref name="generation"/>: from now on this replica takes their
    /// nonces from Redis only.
    /// </summary>
    public void MarkShared(TicketParameters parameters, string generation) =>
        shared.TryAdd(Convert.ToHexString(parameters.RecipientRandHash), new Shared((long)parameters.ExpirationBlock, generation));

    /// <summary>The Redis key of the generation: a random id written by the first publisher after Redis (re)starts.</summary>
    public string GenerationKey => redis.Key("generation", "current");

    public bool IsShared(ReadOnlySpan<byte> recipientRandHash) => shared.ContainsKey(Convert.ToHexString(recipientRandHash));

    public async ValueTask<uint[]?> TryReserveAsync(TicketParameters parameters, int count, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexString(parameters.RecipientRandHash);
        if (!shared.TryGetValue(hash, out var block))
        {
            return local.TryReserve(parameters, count);
        }

        await block.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (block.Free.Count < count && (block.Retired || !await RefillAsync(parameters, hash, block, count - block.Free.Count).ConfigureAwait(false)))
            {
                return null;
            }

            var result = new uint[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = block.Free.Dequeue();
            }

            block.FreeCount = block.Free.Count;

            return result;
        }
        finally
        {
            block.Gate.Release();
        }
    }

    public long Used(ReadOnlySpan<byte> recipientRandHash) =>
        shared.TryGetValue(Convert.ToHexString(recipientRandHash), out var block)
            ? Math.Max(0, Interlocked.Read(ref block.HighestSeen) - block.FreeCount)
            : local.Used(recipientRandHash);

    public void Purge(long block)
    {
        local.Purge(block);
        foreach (var (key, entry) in shared)
        {
            if (entry.ExpirationBlock < block - 1000)
            {
                shared.TryRemove(key, out _);
            }
        }
    }

    private async Task<bool> RefillAsync(TicketParameters parameters, string hash, Shared block, int needed)
    {
        var key = redis.Key("nonce", $"{sender}:{parameters.Recipient.ToLowerHex()}:{hash.ToLowerInvariant()}");
        var wanted = Math.Max(needed, options.Value.NonceBlock);
        var (ok, answer) = await redis.TryAsync("reserving sender nonces", db => db.ScriptEvaluateAsync(Reserve, [key, GenerationKey],
            [wanted, needed, SeenNonces.MaxSenderNonces, (long)CounterTtl.TotalSeconds, block.Generation])).ConfigureAwait(false);
        if (!ok || answer is null)
        {
            return false;
        }

        var values = (RedisResult[])answer!;
        var last = (long)values[0];
        var granted = (long)values[1];
        if (last == -3)
        {
            logger.LogInformation("ticket params published under Redis generation {Generation} are retired: Redis has restarted since and lost their nonce counter", block.Generation);
            block.Retired = true;
            return false;
        }

        if (last == -2)
        {
            logger.LogWarning("ignoring Redis key {Key}: it does not hold a nonce counter (hand-edited?); these ticket params are dropped and fresh ones fetched", key);
            return false;
        }

        if (last < 0)
        {
            Interlocked.Exchange(ref block.HighestSeen, granted);
            return false;
        }

        for (var n = last - granted + 1; n <= last; n++)
        {
            block.Free.Enqueue(checked((uint)n));
        }

        Interlocked.Exchange(ref block.HighestSeen, Math.Max(Interlocked.Read(ref block.HighestSeen), last));
        block.FreeCount = block.Free.Count;
        return true;
    }

    private sealed class Shared(long expirationBlock, string generation)
    {
        public long HighestSeen;

        public long ExpirationBlock { get; } = expirationBlock;

        public string Generation { get; } = generation;

        /// <summary>Published under a generation Redis no longer has: no more nonces from Redis, ever.</summary>
        public bool Retired { get; set; }

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public Queue<uint> Free { get; } = new();

        public int FreeCount { get; set; }
    }
}
