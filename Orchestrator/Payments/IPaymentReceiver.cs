using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Orchestrator.Payments;

/// <summary>
/// What the job handler tells the payment side about one job: the request headers (Livepeer-Payment,
/// Livepeer-Segment), the served model and the job's billing units (pixels, tokens, ms, bytes) as the
/// orchestrator computes them. <see cref="ManifestId"/> is go-livepeer's balance key
/// "&lt;capability&gt;_&lt;model&gt;"; <see cref="ServedModel.PriceFor"/> gives the price for a sender.
/// </summary>
public sealed record PaymentContext(IHeaderDictionary Headers, ServedModel Model, long Units)
{
    public string ManifestId => Model.ManifestId;
    public Pipeline Pipeline => Model.Pipeline;
    public string ModelId => Model.ModelId;

    /// <summary>This orchestrator's default price in wei per unit; null when the model is unpriced.</summary>
    public BigRational? DefaultWeiPerUnit => Model.PriceFor(null);
}

/// <summary>Accepted, or refused with the status and message the client gets (e.g. 402, 403, 400 "Insufficient balance").</summary>
public sealed record PaymentDecision(bool Accepted, int StatusCode = 200, string? Message = null, string? Sender = null)
{
    /// <summary>What the receiver needs again in <see cref="IPaymentReceiver.DebitFees"/> (e.g. the expected price).</summary>
    public object? State { get; init; }

    public static PaymentDecision Accept(string? sender = null) => new(true, 200, null, sender);

    public static PaymentDecision Refuse(int statusCode, string message) => new(false, statusCode, message);
}

/// <summary>Counters for the /status page.</summary>
public sealed record PaymentStats(long TicketsReceived, long WinningTickets, long TicketsRedeemed, string FeesDebitedWei)
{
    /// <summary>"off-chain" or "on-chain".</summary>
    public string Mode { get; init; } = "off-chain";

    /// <summary>Sum of the EV of every credited ticket, wei (rounded up).</summary>
    public string CreditedWei { get; init; } = "0";

    /// <summary>Face value redeemed on the ledger, wei.</summary>
    public string RedeemedFaceValueWei { get; init; } = "0";

    /// <summary>Winning tickets waiting for their params to expire.</summary>
    public int PendingRedemptions { get; init; }

    /// <summary>Winning tickets the ledger refused.</summary>
    public long FailedRedemptions { get; init; }

    /// <summary>Those refusals by reason (on a chain ledger, the contract's revert reason).</summary>
    public IReadOnlyDictionary<string, long> FailedRedemptionReasons { get; init; } = new Dictionary<string, long>();

    /// <summary>Payments refused (any 4xx from the payment step).</summary>
    public long PaymentsRefused { get; init; }
}

/// <summary>
/// The payment seam of the job path (go-livepeer: ProcessPayment / SufficientBalance, then DebitFees).
/// Called after the capacity check and before the runner call; <see cref="DebitFees"/> after a successful
/// job only. Implementations must be thread-safe, and must run <see cref="SegmentCredentialsCheck"/> (the auth-token
/// check) themselves before they credit anything.
/// </summary>
public interface IPaymentReceiver
{
    /// <summary>Reads the Livepeer-Payment / Livepeer-Segment headers, credits the sender and checks the balance.</summary>
    ValueTask<PaymentDecision> ProcessPaymentAsync(PaymentContext job, CancellationToken ct);

    /// <summary>Charges units × price to the sender of an accepted payment once the job succeeded.</summary>
    void DebitFees(PaymentContext job, PaymentDecision accepted);

    PaymentStats Stats { get; }
}
