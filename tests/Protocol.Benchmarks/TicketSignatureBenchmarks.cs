using System.Numerics;
using BenchmarkDotNet.Attributes;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Protocol.Benchmarks;

/// <summary>
/// One operation per invocation on one thread: what a ticket costs the gateway (hash + sign) and the orchestrator
/// (recover the first ticket of a sender, then verify later tickets against the cached key).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class TicketSignatureBenchmarks
{
    private ISecp256k1 crypto = null!;
    private EthAccount account = null!;
    private Ticket ticket = null!;
    private byte[] digest = null!;
    private byte[] signature = null!;
    private EcPublicKey cachedKey = null!;
    private SenderKeyCache cache = null!;

    [Params("native", "managed")]
    public string Implementation { get; set; } = "native";

    [GlobalSetup]
    public void Setup()
    {
        crypto = Implementation == "native"
            ? Secp256k1.Native ?? throw new InvalidOperationException("libsecp256k1.so.1 did not load")
            : Secp256k1.Managed;
        var random = new Random(1);
        var key = new byte[32];
        random.NextBytes(key);
        account = new EthAccount(key, crypto);
        var bytes = new byte[32];
        random.NextBytes(bytes);
        ticket = new Ticket(new EthAddress(bytes[..20]), account.Address, BigInteger.Parse("100000000000000000"), TicketMath.MaxWinProb / 1000,
            42, bytes, 4000, bytes);
        digest = ticket.SignatureDigest();
        signature = account.SignDigest(digest);
        cachedKey = new EcPublicKey(account.PublicKey.Bytes);
        crypto.Verify(digest, signature, cachedKey); // parse the key into the implementation's form once
        cache = new SenderKeyCache(crypto);
        cache.Verify(account.Address, digest, signature);
    }

    [Benchmark(Description = "ticket hash (flatten + keccak)")]
    public byte[] TicketHash() => ticket.Hash();

    [Benchmark(Description = "sign ticket digest")]
    public byte[] Sign() => account.SignDigest(digest);

    [Benchmark(Description = "recover sender key")]
    public bool Recover() => crypto.TryRecover(digest, signature, out _);

    [Benchmark(Description = "verify with cached key")]
    public bool VerifyCachedKey() => crypto.Verify(digest, signature, cachedKey);

    [Benchmark(Description = "sender cache verify (lookup + verify)")]
    public bool SenderCacheVerify() => cache.Verify(account.Address, digest, signature);
}
