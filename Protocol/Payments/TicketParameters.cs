using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>Protobuf TicketParams decoded into numbers, with the expiration params the tickets are built from.</summary>
public sealed record TicketParameters(
    EthAddress Recipient,
    BigInteger FaceValue,
    BigInteger WinProb,
    byte[] RecipientRandHash,
    BigInteger Seed,
    BigInteger ExpirationBlock,
    long CreationRound,
    byte[] CreationRoundBlockHash)
{
    public Pricing.BigRational ExpectedValue => TicketMath.ExpectedValue(FaceValue, WinProb);

    public Ticket TicketFor(EthAddress sender, uint nonce) =>
        new(Recipient, sender, FaceValue, WinProb, nonce, RecipientRandHash, CreationRound, CreationRoundBlockHash);

    public TicketParams ToProto() => new()
    {
        Recipient = Google.Protobuf.ByteString.CopyFrom(Recipient.Span),
        FaceValue = Google.Protobuf.ByteString.CopyFrom(BigEndian.Minimal(FaceValue)),
        WinProb = Google.Protobuf.ByteString.CopyFrom(BigEndian.Minimal(WinProb)),
        RecipientRandHash = Google.Protobuf.ByteString.CopyFrom(RecipientRandHash),
        Seed = Google.Protobuf.ByteString.CopyFrom(BigEndian.Minimal(Seed)),
        ExpirationBlock = Google.Protobuf.ByteString.CopyFrom(BigEndian.Minimal(ExpirationBlock)),
        ExpirationParams = ExpirationProto(),
    };

    public TicketExpirationParams ExpirationProto() => new()
    {
        CreationRound = CreationRound,
        CreationRoundBlockHash = Google.Protobuf.ByteString.CopyFrom(CreationRoundBlockHash),
    };

    /// <summary>
    /// Decodes params plus the expiration params to use (the orchestrator passes Payment field 3, the gateway field 7).
    /// Fails with a message naming the malformed field instead of truncating or padding like go-ethereum's BytesToAddress.
    /// </summary>
    public static bool TryDecode(TicketParams? proto, TicketExpirationParams? expiration, [NotNullWhen(true)] out TicketParameters? decoded, [NotNullWhen(false)] out string? error)
    {
        decoded = null;
        if (proto is null)
        {
            error = "missing ticket params";
            return false;
        }

        if (proto.Recipient.Length != EthAddress.Size)
        {
            error = $"{PaymentErrors.InvalidRecipient}: recipient must be 20 bytes, got {proto.Recipient.Length}";
            return false;
        }

        if (proto.RecipientRandHash.Length != 32)
        {
            error = $"invalid ticket params: recipient_rand_hash must be 32 bytes, got {proto.RecipientRandHash.Length}";
            return false;
        }

        foreach (var (name, value) in new[] { ("face_value", proto.FaceValue), ("win_prob", proto.WinProb), ("seed", proto.Seed), ("expiration_block", proto.ExpirationBlock) })
        {
            if (value.Length > 32)
            {
                error = $"invalid ticket params: {name} is longer than 32 bytes";
                return false;
            }
        }

        if (expiration is null)
        {
            error = "invalid payment: missing expiration params (creation round and block hash)";
            return false;
        }

        if (expiration.CreationRound < 0 || expiration.CreationRoundBlockHash.Length is not (0 or 32))
        {
            error = "invalid payment: expiration params need a creation round ≥ 0 and a 32-byte block hash";
            return false;
        }

        decoded = new TicketParameters(
            new EthAddress(proto.Recipient.Span),
            BigEndian.ToBigInteger(proto.FaceValue.Span),
            BigEndian.ToBigInteger(proto.WinProb.Span),
            proto.RecipientRandHash.ToByteArray(),
            BigEndian.ToBigInteger(proto.Seed.Span),
            BigEndian.ToBigInteger(proto.ExpirationBlock.Span),
            expiration.CreationRound,
            expiration.CreationRoundBlockHash.Length == 0 ? new byte[32] : expiration.CreationRoundBlockHash.ToByteArray());
        error = null;
        return true;
    }
}
