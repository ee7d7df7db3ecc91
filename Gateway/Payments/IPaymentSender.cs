using System.Numerics;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Payments;

/// <summary>
/// The seam for paying orchestrators. Given the session's OrchestratorInfo, the pipeline, model and units, a sender
/// returns the headers to add to that attempt (<c>Livepeer-Payment</c>, <c>Livepeer-Segment</c>) and the fee, and is
/// told the outcome afterwards. The default off-chain sender adds nothing and charges 0.
/// </summary>
public interface IPaymentSender
{
    ValueTask<PaymentTicket> PrepareAsync(PaymentRequest request, CancellationToken cancellationToken);

    void Complete(PaymentTicket ticket, PaymentOutcome outcome);
}

public sealed record PaymentRequest(OrchestratorInfo Orchestrator, Pipeline Pipeline, string ModelId, long Units);

/// <summary>Headers for one attempt and the fee they cover in wei; <see cref="State"/> is the sender's own.</summary>
public sealed record PaymentTicket(IReadOnlyList<KeyValuePair<string, string>> Headers, BigInteger FeeWei, object? State = null)
{
    public static PaymentTicket Free { get; } = new([], BigInteger.Zero);
}

public enum PaymentOutcome
{
    /// <summary>The orchestrator did the job.</summary>
    Succeeded,

    /// <summary>Refused before any work (capacity, ticket errors): the orchestrator received no usable credit.</summary>
    Refused,

    /// <summary>Failed or timed out after the request was sent: treat the credit as spent (go-livepeer does).</summary>
    Failed,
}

public sealed class OffChainPaymentSender : IPaymentSender
{
    public ValueTask<PaymentTicket> PrepareAsync(PaymentRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(PaymentTicket.Free);

    public void Complete(PaymentTicket ticket, PaymentOutcome outcome)
    {
    }
}
