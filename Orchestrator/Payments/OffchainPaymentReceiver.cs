namespace LivepeerAspire.Orchestrator.Payments;

/// <summary>
/// Off-chain mode (go-livepeer without an ETH client): nothing is charged; a job is refused (403) only when it carries a
/// <c>Livepeer-Segment</c> whose auth token this orchestrator did not issue or that has expired.
/// </summary>
public sealed class OffchainPaymentReceiver(SegmentCredentialsCheck segments) : IPaymentReceiver
{
    private long refused;

    public ValueTask<PaymentDecision> ProcessPaymentAsync(PaymentContext job, CancellationToken ct)
    {
        if (segments.CheckOffChain(job.Headers) is { } error)
        {
            Interlocked.Increment(ref refused);
            return ValueTask.FromResult(PaymentDecision.Refuse(StatusCodes.Status403Forbidden, error));
        }

        return ValueTask.FromResult(PaymentDecision.Accept());
    }

    public void DebitFees(PaymentContext job, PaymentDecision accepted)
    {
    }

    public PaymentStats Stats => new(0, 0, 0, "0") { PaymentsRefused = Interlocked.Read(ref refused) };
}
