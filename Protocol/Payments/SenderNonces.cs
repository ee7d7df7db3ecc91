using System.Collections.Concurrent;
using System.Numerics;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>
/// Where a gateway's sender nonces come from, per ticket params (recipient, recipientRandHash). An orchestrator accepts a
/// nonce once and at most <see cref="SeenNonces.MaxSenderNonces"/> of them per params, so whoever signs tickets on the
/// same params must draw from one allocator: <see cref="LocalSenderNonces"/> in one process, a shared one (the
/// gateway's Redis allocator) across replicas.
/// </summary>
public interface ISenderNonces
{
    /// <summary>
    /// <paramref name="count"/> nonces never handed out before on these params, or null when the params cannot give
    /// that many (exhausted, or a shared allocator that cannot vouch for them right now): refresh the params.
    /// </summary>
    ValueTask<uint[]?> TryReserveAsync(TicketParameters parameters, int count, CancellationToken cancellationToken);

    /// <summary>Nonces used on the params with this recipientRandHash, as far as this process knows (a hint for refreshing early).</summary>
    long Used(ReadOnlySpan<byte> recipientRandHash);

    /// <summary>Forgets params that expired well before <paramref name="block"/>.</summary>
    void Purge(long block);
}

/// <summary>
/// One process's nonces: a counter per recipientRandHash, reserved atomically (the first ticket on params has nonce 1).
/// Correct for params only this process signs on, which is every params a gateway fetched itself (each getOrchestrator
/// answer carries a fresh random seed, hence a fresh recipientRand).
/// </summary>
public sealed class LocalSenderNonces : ISenderNonces
{
    private readonly ConcurrentDictionary<string, Counter> counters = new(StringComparer.Ordinal);

    public ValueTask<uint[]?> TryReserveAsync(TicketParameters parameters, int count, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TryReserve(parameters, count));

    public uint[]? TryReserve(TicketParameters parameters, int count) =>
        counters.GetOrAdd(Convert.ToHexString(parameters.RecipientRandHash), _ => new Counter(parameters.ExpirationBlock))
            .TryReserve(count, SeenNonces.MaxSenderNonces);

    public long Used(ReadOnlySpan<byte> recipientRandHash) =>
        counters.TryGetValue(Convert.ToHexString(recipientRandHash), out var counter) ? counter.Used : 0;

    public void Purge(long block)
    {
        foreach (var (key, counter) in counters)
        {
            if (counter.ExpirationBlock < block - 1000)
            {
                counters.TryRemove(key, out _);
            }
        }
    }

    private sealed class Counter(BigInteger expirationBlock)
    {
        private long nonce;

        public BigInteger ExpirationBlock { get; } = expirationBlock;

        public long Used => Interlocked.Read(ref nonce);

        /// <summary>The next <paramref name="count"/> nonces, or null when they would go past <paramref name="max"/> ("too many values").</summary>
        public uint[]? TryReserve(int count, int max)
        {
            long last;
            long current;
            do
            {
                current = Interlocked.Read(ref nonce);
                last = current + count;
                if (last > max)
                {
                    return null;
                }
            }
            while (Interlocked.CompareExchange(ref nonce, last, current) != current);

            var result = new uint[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = checked((uint)(last - count + 1 + i));
            }

            return result;
        }
    }
}
