using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>Expected value, winning probability and the win test of go-livepeer's pm package and TicketBroker.</summary>
public static class TicketMath
{
    /// <summary>2²⁵⁶ − 1, the win probability of a ticket that always wins.</summary>
    public static readonly BigInteger MaxWinProb = BigInteger.Pow(2, 256) - 1;

    /// <summary>EV = faceValue × winProb / (2²⁵⁶ − 1), exact.</summary>
    public static BigRational ExpectedValue(BigInteger faceValue, BigInteger winProb) =>
        new BigRational(faceValue * winProb, MaxWinProb);

    /// <summary>
    /// The win probability an orchestrator offers for a face value and target EV (pm/recipient.go): 0 for a zero face
    /// value, certainty when faceValue = EV, else EV × ⌈(2²⁵⁶−1)/faceValue⌉ — the smallest multiple with EV at least the target.
    /// </summary>
    public static BigInteger WinProb(BigInteger faceValue, BigInteger ev)
    {
        if (faceValue.IsZero)
        {
            return BigInteger.Zero;
        }

        if (faceValue == ev)
        {
            return MaxWinProb;
        }

        var x = BigInteger.DivRem(MaxWinProb, faceValue, out var remainder);
        return remainder.IsZero ? ev * x : ev * (x + 1);
    }

    /// <summary>uint256(keccak256(sig ‖ uint256(recipientRand))) &lt; winProb (strict).</summary>
    public static bool IsWinning(ReadOnlySpan<byte> signature, BigInteger recipientRand, BigInteger winProb)
    {
        var data = new byte[signature.Length + 32];
        signature.CopyTo(data);
        BigEndian.WriteWord(recipientRand, data.AsSpan(signature.Length));
        return BigEndian.ToBigInteger(Keccak256.Hash(data)) < winProb;
    }
}
