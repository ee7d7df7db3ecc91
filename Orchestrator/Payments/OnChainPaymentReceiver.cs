using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Orchestrator.Payments;

/// <summary>
/// On-chain mode (go-livepeer with an ETH client): decodes <c>Livepeer-Payment</c> (402 when malformed), checks
/// <c>Livepeer-Segment</c> (403, <see cref="SegmentCredentialsCheck.CheckOnChain"/>), validates and
/// credits the tickets (400 with go-livepeer's message), refuses an expected price below this orchestrator's price for
/// the sender, checks SufficientBalance (400 "Insufficient balance") when the job is priced, and debits
/// units × expected price once the job succeeded.
/// </summary>
public sealed class OnChainPaymentReceiver(
    OrchestratorPayments payments,
    SegmentCredentialsCheck segments,
    ILogger<OnChainPaymentReceiver> logger) : IPaymentReceiver
{
    private readonly Lock totals = new();
    private BigRational credited = BigRational.Zero;
    private BigRational debited = BigRational.Zero;
    private long winning;
    private long refused;

    public async ValueTask<PaymentDecision> ProcessPaymentAsync(PaymentContext job, CancellationToken ct)
    {
        var header = job.Headers[PaymentHeader.Name].ToString();
        if (!PaymentHeader.TryDecode(header, out var payment, out var decodeError))
        {
            return Refuse(402, decodeError);
        }

        var sender = payment.Sender.Length == 20 ? "0x" + Convert.ToHexStringLower(payment.Sender.Span) : null;
        // Before any ticket is credited: a refused job must not leave credit the gateway counts as given back.
        if (segments.CheckOnChain(job.Headers, payment.Sender) is { } segError)
        {
            return Refuse(403, segError);
        }

        var required = job.Model.PriceFor(sender);
        if (payment.TicketParams is not null && required is { Sign: > 0 } price && payment.ExpectedPrice is { PixelsPerUnit: > 0 } expected)
        {
            // Params are issued for the advertised (possibly truncated) PriceInfo; anything below it is an underpayment.
            var advertised = PriceInfos.Advertised(price);
            if (!PriceInfos.TryToRational(expected, out var offered, out var priceError))
            {
                return Refuse(400, $"invalid expected price sent with payment err=\"{priceError}\"");
            }

            if (offered < advertised)
            {
                return Refuse(400, $"invalid expected price sent with payment err=\"expected price {offered} is below this orchestrator's price {advertised} wei per unit for {job.ModelId}; get fresh params from /getOrchestrator\"");
            }
        }

        var result = await payments.Receiver.ProcessPaymentAsync(payment, job.ManifestId, required, ct);
        if (result.Credit.Sign > 0 || result.WinningTickets > 0)
        {
            lock (totals)
            {
                credited += result.Credit;
                winning += result.WinningTickets;
            }
        }

        if (!result.Accepted)
        {
            logger.LogInformation("payment from {Sender} for {Manifest} refused: {Error} ({Credited}/{Tickets} tickets credited)",
                result.Sender, job.ManifestId, result.Error, result.CreditedTickets, result.Tickets);
            return Refuse(result.StatusCode, result.Error ?? "payment refused");
        }

        if (result.ExpectedPrice is { PricePerUnit: > 0 } && !payments.Receiver.SufficientBalance(result.Sender, job.ManifestId))
        {
            return Refuse(400, PaymentErrors.InsufficientBalance);
        }

        return PaymentDecision.Accept(result.Sender.IsZero ? null : result.Sender.ToLowerHex()) with { State = result };
    }

    public void DebitFees(PaymentContext job, PaymentDecision accepted)
    {
        if (accepted.State is not PaymentResult { ExpectedPrice: { PixelsPerUnit: > 0 } price } result || result.Sender.IsZero)
        {
            return;
        }

        var fee = Fees.Fee(job.Units, price);
        payments.Receiver.DebitFees(result.Sender, job.ManifestId, price, job.Units);
        lock (totals)
        {
            debited += fee;
        }
    }

    public PaymentStats Stats
    {
        get
        {
            BigRational credit, debit;
            long wins;
            lock (totals)
            {
                credit = credited;
                debit = debited;
                wins = winning;
            }

            var queue = payments.Redemptions;
            return new PaymentStats(payments.Receiver.TicketsReceived, wins, queue.Redeemed, Fees.ToWeiString(debit))
            {
                Mode = "on-chain",
                CreditedWei = Fees.ToWeiString(credit),
                RedeemedFaceValueWei = queue.RedeemedFaceValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                PendingRedemptions = queue.Count,
                FailedRedemptions = queue.Failed,
                FailedRedemptionReasons = queue.FailedByReason,
                PaymentsRefused = Interlocked.Read(ref refused),
            };
        }
    }

    private PaymentDecision Refuse(int status, string message)
    {
        Interlocked.Increment(ref refused);
        return PaymentDecision.Refuse(status, message);
    }
}
