using System.Numerics;
using BenchmarkDotNet.Attributes;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Payments;
using Nethereum.Signer;
using Nethereum.Util;

namespace LivepeerAspire.Protocol.Benchmarks;

/// <summary>
/// The same ticket operations through Nethereum.Signer 6.1.0 (EthECKey), to decide whether Nethereum can replace the
/// libsecp256k1 path for tickets: sign the personal_sign digest, recover the sender, verify against a known key.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class NethereumSignerBenchmarks
{
    private EthECKey key = null!;
    private EthECKey publicOnly = null!;
    private byte[] flat = null!;
    private byte[] digest = null!;
    private EthECDSASignature signature = null!;
    private Ticket ticket = null!;
    private readonly Nethereum.ABI.ABIEncode abi = new();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var privateKey = new byte[32];
        random.NextBytes(privateKey);
        key = new EthECKey(privateKey, true);
        var account = new EthAccount(privateKey);
        var bytes = new byte[32];
        random.NextBytes(bytes);
        var ticket = new Ticket(new EthAddress(bytes[..20]), account.Address, BigInteger.Parse("100000000000000000"), TicketMath.MaxWinProb / 1000,
            42, bytes, 4000, bytes);
        this.ticket = ticket;
        flat = ticket.Flatten();
        digest = ticket.SignatureDigest();
        signature = key.SignAndCalculateV(digest);
        publicOnly = new EthECKey(key.GetPubKey(), false);
        if (!NethereumFlatten().AsSpan().SequenceEqual(flat))
        {
            throw new InvalidOperationException("Nethereum's packed encoding differs from Ticket.Flatten");
        }

        if (EthECKey.RecoverFromSignature(signature, digest).GetPublicAddress() != key.GetPublicAddress())
        {
            throw new InvalidOperationException("Nethereum did not recover its own signature");
        }
    }

    [Benchmark(Description = "keccak of the flattened ticket, Nethereum")]
    public byte[] TicketHash() => Sha3Keccack.Current.CalculateHash(flat);

    [Benchmark(Description = "keccak of the flattened ticket, project (BouncyCastle digest reused per thread)")]
    public byte[] ProjectTicketHash() => Keccak256.Hash(flat);

    [Benchmark(Description = "abi.encodePacked of a ticket, project (Ticket.Flatten)")]
    public byte[] ProjectFlatten() => ticket.Flatten();

    [Benchmark(Description = "abi.encodePacked of a ticket, Nethereum (ABIEncode.GetABIEncodedPacked)")]
    public byte[] NethereumFlatten() => abi.GetABIEncodedPacked(
        new Nethereum.ABI.ABIValue("address", ticket.Recipient.ToLowerHex()),
        new Nethereum.ABI.ABIValue("address", ticket.Sender.ToLowerHex()),
        new Nethereum.ABI.ABIValue("uint256", ticket.FaceValue),
        new Nethereum.ABI.ABIValue("uint256", ticket.WinProb),
        new Nethereum.ABI.ABIValue("uint256", new BigInteger(ticket.SenderNonce)),
        new Nethereum.ABI.ABIValue("bytes32", ticket.RecipientRandHash),
        new Nethereum.ABI.ABIValue("bytes", ticket.AuxData()));

    [Benchmark(Description = "sign ticket digest")]
    public EthECDSASignature Sign() => key.SignAndCalculateV(digest);

    [Benchmark(Description = "recover sender key")]
    public string Recover() => EthECKey.RecoverFromSignature(signature, digest).GetPublicAddress();

    [Benchmark(Description = "verify with cached key")]
    public bool VerifyCachedKey() => publicOnly.Verify(digest, signature);
}
