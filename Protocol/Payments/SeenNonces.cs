using System.Collections.Concurrent;
using System.Numerics;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>
/// Replay protection per recipientRand (pm/recipient.go senderNonces): a nonce is accepted once, at most 600 nonces per
/// params; a params' entry is purged once its expiration block has passed.
/// </summary>
public sealed class SeenNonces
{
    public const int MaxSenderNonces = 600;

    private readonly ConcurrentDictionary<BigInteger, Entry> byRand = new();

    /// <summary>Null when the nonce is fresh (and now recorded), else go-livepeer's error text.</summary>
    public string? TryAdd(BigInteger recipientRand, uint nonce, BigInteger expirationBlock)
    {
        var entry = byRand.GetOrAdd(recipientRand, _ => new Entry(expirationBlock));
        lock (entry)
        {
            if (entry.Nonces.Contains(nonce))
            {
                return PaymentErrors.NonceAlreadySeen;
            }

            if (entry.Nonces.Count >= MaxSenderNonces)
            {
                return PaymentErrors.NonceTooMany;
            }

            entry.Nonces.Add(nonce);
            return null;
        }
    }

    public void Purge(long latestBlock)
    {
        foreach (var (rand, entry) in byRand)
        {
            if (entry.ExpirationBlock <= latestBlock)
            {
                byRand.TryRemove(rand, out _);
            }
        }
    }

    public int Count => byRand.Count;

    private sealed record Entry(BigInteger ExpirationBlock)
    {
        public HashSet<uint> Nonces { get; } = [];
    }
}
