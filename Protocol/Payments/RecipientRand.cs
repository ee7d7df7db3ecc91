using System.Numerics;
using System.Security.Cryptography;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>
/// The orchestrator's per-params secret number (pm/recipient.go rand): HMAC-SHA256 over the params it issued, keyed by a
/// 32-byte secret drawn at start-up, read as a big-endian integer. Its keccak256 is the recipientRandHash sent to gateways.
/// </summary>
public static class RecipientRand
{
    /// <summary>
    /// msg = seed ‖ sender(20) ‖ faceValue ‖ winProb ‖ expirationBlock ‖ price.num ‖ price.denom ‖ auxData, every integer
    /// minimal big-endian (zero is empty), auxData 64 bytes or empty.
    /// </summary>
    public static BigInteger Compute(ReadOnlySpan<byte> secret, BigInteger seed, EthAddress sender, BigInteger faceValue, BigInteger winProb,
        BigInteger expirationBlock, BigRational price, ReadOnlySpan<byte> auxData)
    {
        var message = Message(seed, sender, faceValue, winProb, expirationBlock, price, auxData);
        return BigEndian.ToBigInteger(HMACSHA256.HashData(secret, message));
    }

    public static byte[] Message(BigInteger seed, EthAddress sender, BigInteger faceValue, BigInteger winProb, BigInteger expirationBlock,
        BigRational price, ReadOnlySpan<byte> auxData)
    {
        using var stream = new MemoryStream(256);
        stream.Write(BigEndian.Minimal(seed));
        stream.Write(sender.Span);
        stream.Write(BigEndian.Minimal(faceValue));
        stream.Write(BigEndian.Minimal(winProb));
        stream.Write(BigEndian.Minimal(expirationBlock));
        stream.Write(BigEndian.Minimal(price.Numerator));
        stream.Write(BigEndian.Minimal(price.Denominator));
        stream.Write(auxData);
        return stream.ToArray();
    }

    /// <summary>keccak256(uint256(recipientRand)).</summary>
    public static byte[] Hash(BigInteger recipientRand) => Keccak256.Hash(BigEndian.Word(recipientRand));
}
