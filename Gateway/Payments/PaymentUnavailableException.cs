namespace LivepeerAspire.Gateway.Payments;

/// <summary>
/// The gateway cannot pay this orchestrator (its params are unusable or over the limits, or the gateway's own deposit
/// cannot back tickets). The dispatcher moves on to another orchestrator without suspending this one; when every
/// orchestrator fails this way the client gets 503 with the reasons.
/// </summary>
public sealed class PaymentUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
