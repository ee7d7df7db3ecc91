namespace LivepeerAspire.Orchestrator.Payments;

/// <summary>Off-chain mode (go-livepeer without an ETH client): every job is accepted and nothing is charged.</summary>
public sealed class OffchainPaymentReceiver : IPaymentReceiver
{
    public ValueTask<PaymentDecision> ProcessPaymentAsync(PaymentContext job, CancellationToken ct) =>
        ValueTask.FromResult(PaymentDecision.Accept());

    public void DebitFees(PaymentContext job, PaymentDecision accepted)
    {
    }

    public PaymentStats Stats { get; } = new(0, 0, 0, "0");
}
