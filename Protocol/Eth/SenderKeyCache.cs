using System.Collections.Concurrent;

namespace LivepeerAspire.Protocol.Eth;

/// <summary>
/// Verifies signatures claimed to come from an address. The first signature of a sender is recovered (ecrecover);
/// its key is cached only when it matches the sender, and later signatures are checked against that key.
/// </summary>
public sealed class SenderKeyCache(ISecp256k1 crypto, int capacity = 100_000)
{
    private readonly ConcurrentDictionary<EthAddress, EcPublicKey> keys = new();
    private long recoveries;
    private long cachedVerifications;

    public ISecp256k1 Crypto => crypto;

    public int Count => keys.Count;

    public long Recoveries => Interlocked.Read(ref recoveries);

    public long CachedVerifications => Interlocked.Read(ref cachedVerifications);

    public bool Verify(EthAddress sender, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        if (keys.TryGetValue(sender, out var key))
        {
            Interlocked.Increment(ref cachedVerifications);
            return crypto.Verify(digest, signature, key);
        }

        Interlocked.Increment(ref recoveries);
        if (!crypto.TryRecover(digest, signature, out var recovered) || recovered!.Address != sender)
        {
            return false;
        }

        if (keys.Count >= capacity)
        {
            keys.Clear(); // senders are few; a flood of one-off senders only costs recoveries, never memory
        }

        keys.TryAdd(sender, recovered);
        return true;
    }
}
