using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>One probabilistic micropayment ticket, field for field as pm.Ticket and TicketBroker's Ticket struct.</summary>
public sealed class Ticket
{
    private static readonly byte[] NoHash = new byte[32];

    public Ticket(EthAddress recipient, EthAddress sender, BigInteger faceValue, BigInteger winProb, uint senderNonce,
        ReadOnlySpan<byte> recipientRandHash, long creationRound, ReadOnlySpan<byte> creationRoundBlockHash)
    {
        if (recipientRandHash.Length != 32 || (creationRoundBlockHash.Length is not (0 or 32)))
        {
            throw new ArgumentException("recipientRandHash and creationRoundBlockHash are 32 bytes");
        }

        Recipient = recipient;
        Sender = sender;
        FaceValue = faceValue;
        WinProb = winProb;
        SenderNonce = senderNonce;
        RecipientRandHash = recipientRandHash.ToArray();
        CreationRound = creationRound;
        CreationRoundBlockHash = creationRoundBlockHash.Length == 0 ? NoHash : creationRoundBlockHash.ToArray();
    }

    public EthAddress Recipient { get; }
    public EthAddress Sender { get; }
    public BigInteger FaceValue { get; }
    public BigInteger WinProb { get; }
    public uint SenderNonce { get; }
    public byte[] RecipientRandHash { get; }
    public long CreationRound { get; }
    public byte[] CreationRoundBlockHash { get; }

    /// <summary>uint256(creationRound) ‖ creationRoundBlockHash, or empty when both are zero (as go-livepeer's AuxData).</summary>
    public byte[] AuxData()
    {
        if (CreationRound == 0 && CreationRoundBlockHash.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return [];
        }

        var aux = new byte[64];
        BigEndian.WriteWord(CreationRound, aux);
        CreationRoundBlockHash.CopyTo(aux, 32);
        return aux;
    }

    /// <summary>abi.encodePacked(recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData): 232 bytes normally.</summary>
    public byte[] Flatten()
    {
        var aux = AuxData();
        var buffer = new byte[20 + 20 + 32 * 4 + aux.Length];
        Recipient.Span.CopyTo(buffer);
        Sender.Span.CopyTo(buffer.AsSpan(20));
        BigEndian.WriteWord(FaceValue, buffer.AsSpan(40));
        BigEndian.WriteWord(WinProb, buffer.AsSpan(72));
        BigEndian.WriteWord(SenderNonce, buffer.AsSpan(104));
        RecipientRandHash.CopyTo(buffer, 136);
        aux.CopyTo(buffer, 168);
        return buffer;
    }

    /// <summary>keccak256 of <see cref="Flatten"/>, equal to TicketBroker's getTicketHash.</summary>
    public byte[] Hash() => Keccak256.Hash(Flatten());

    /// <summary>What the sender signs: the personal_sign hash of the ticket hash (no further keccak of the hash itself).</summary>
    public byte[] SignatureDigest() => PersonalSign.Hash(Hash());

    public BigRational ExpectedValue => TicketMath.ExpectedValue(FaceValue, WinProb);
}
