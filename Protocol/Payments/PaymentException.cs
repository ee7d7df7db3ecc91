namespace LivepeerAspire.Protocol.Payments;

/// <summary>A payment-side refusal whose message is go-livepeer's wording (gateways match on it to decide on retries).</summary>
public sealed class PaymentException(string message, int statusCode = 400) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>True for go-livepeer's ErrTicketParamsExpired: the gateway should refresh the orchestrator's params and retry.</summary>
    public bool ParamsExpired => Message == PaymentErrors.TicketParamsExpired;

    /// <summary>True when the sender has used every nonce the orchestrator accepts on these params: refresh them.</summary>
    public bool ParamsExhausted => Message == PaymentErrors.TicketParamsExhausted;
}

/// <summary>Error texts shared by both sides, worded as in go-livepeer's pm package and orchestrator.</summary>
public static class PaymentErrors
{
    public const string TicketParamsExpired = "TicketParams expired";
    public const string NonceAlreadySeen = "invalid ticket senderNonce: already seen";
    /// <summary>Ours, raised by the sender before it would send a nonce past the orchestrator's limit (go-livepeer has no such check).</summary>
    public const string TicketParamsExhausted = "TicketParams exhausted: every sender nonce the orchestrator accepts on them is used";
    public const string NonceTooMany = "invalid ticket senderNonce: too many values";
    public const string InvalidRecipient = "invalid ticket recipient";
    public const string InvalidSender = "invalid ticket sender";
    public const string InvalidRecipientRand = "invalid recipientRand for recipientRandHash";
    public const string InvalidSignature = "invalid ticket signature";
    public const string InsufficientBalance = "Insufficient balance";
    public const string InsufficientSenderReserve = "insufficient sender reserve";
    public const string MissingSender = "Could not find Sender for payment";
}
