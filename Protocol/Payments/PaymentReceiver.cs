using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>What the orchestrator learns from one payment. <see cref="StatusCode"/> is the HTTP status to answer when not accepted.</summary>
public sealed record PaymentResult(
    bool Accepted,
    string? Error,
    int StatusCode,
    EthAddress Sender,
    BigRational Credit,
    int Tickets,
    int CreditedTickets,
    int WinningTickets,
    PriceInfo? ExpectedPrice)
{
    internal static PaymentResult Reject(string error, int status = 400, EthAddress sender = default, PriceInfo? price = null) =>
        new(false, error, status, sender, BigRational.Zero, 0, 0, 0, price);
}

/// <summary>
/// The orchestrator's side of payments (core/orchestrator.go ProcessPayment, pm/recipient.go ReceiveTicket): checks every
/// ticket, credits the EV of those accepted before the first non-fatal error to (sender, manifest id), queues winners for
/// redemption, and later checks and debits the balance. Error texts are go-livepeer's; every refusal is a 400 except an
/// undecodable header (402).
/// </summary>
public sealed class PaymentReceiver
{
    private readonly TicketIssuer issuer;
    private readonly ILedger ledger;
    private readonly SenderKeyCache keys;
    private readonly RedemptionQueue queue;
    private readonly SeenNonces nonces = new();
    private readonly PerBlockLedgerView ledgerView;
    private long ticketsReceived;

    public PaymentReceiver(TicketIssuer issuer, ILedger ledger, SenderKeyCache keys, RedemptionQueue queue, Balances balances)
    {
        this.issuer = issuer;
        this.ledger = ledger;
        ledgerView = new PerBlockLedgerView(ledger);
        this.keys = keys;
        this.queue = queue;
        Balances = balances;
    }

    public Balances Balances { get; }

    public RedemptionQueue Queue => queue;

    public long TicketsReceived => Interlocked.Read(ref ticketsReceived);

    /// <summary>Decodes the <c>Livepeer-Payment</c> header value and processes it; a malformed header gives 402.</summary>
    public Task<PaymentResult> ProcessHeaderAsync(string? header, string manifestId, BigRational? requiredPrice = null, CancellationToken cancellationToken = default) =>
        PaymentHeader.TryDecode(header, out var payment, out var error)
            ? ProcessPaymentAsync(payment, manifestId, requiredPrice, cancellationToken)
            : Task.FromResult(PaymentResult.Reject(error, 402));

    /// <summary>
    /// Validates and credits one payment. <paramref name="requiredPrice"/> is this orchestrator's current price for the
    /// job: when it is above zero a payment without ticket params is refused (go-livepeer lets such a payment through
    /// unpaid).
    /// </summary>
    public async Task<PaymentResult> ProcessPaymentAsync(Payment payment, string manifestId, BigRational? requiredPrice = null, CancellationToken cancellationToken = default)
    {
        if (payment.TicketParams is null)
        {
            return requiredPrice is { Sign: > 0 }
                ? PaymentResult.Reject($"missing ticket params: this job costs {requiredPrice} wei per unit; get fresh params from /getOrchestrator")
                : new PaymentResult(true, null, 200, default, BigRational.Zero, 0, 0, 0, payment.ExpectedPrice);
        }

        if (payment.Sender.IsEmpty)
        {
            return PaymentResult.Reject(PaymentErrors.MissingSender);
        }

        if (payment.Sender.Length != EthAddress.Size)
        {
            return PaymentResult.Reject($"{PaymentErrors.InvalidSender}: sender must be 20 bytes, got {payment.Sender.Length}");
        }

        var sender = new EthAddress(payment.Sender.Span);
        if (sender.IsZero)
        {
            return PaymentResult.Reject(PaymentErrors.InvalidSender, sender: sender);
        }

        if (!TicketParameters.TryDecode(payment.TicketParams, payment.ExpirationParams, out var parameters, out var decodeError))
        {
            return PaymentResult.Reject(decodeError, sender: sender);
        }

        if (parameters.Recipient != issuer.Recipient)
        {
            return PaymentResult.Reject(PaymentErrors.InvalidRecipient, sender: sender);
        }

        if (!PriceInfos.TryToRational(payment.ExpectedPrice, out var price, out var priceError))
        {
            return PaymentResult.Reject($"invalid expected price sent with payment err=\"{priceError}\"", sender: sender);
        }

        var head = await ledger.GetHeadAsync(cancellationToken);
        var self = await ledgerView.SelfAsync(issuer.Recipient, head, cancellationToken);
        if (self is null || self.Stake.Sign <= 0)
        {
            return PaymentResult.Reject($"orchestrator {issuer.Recipient} is inactive in round {head.CurrentRound}, cannot process payments", sender: sender, price: payment.ExpectedPrice);
        }

        var senderInfo = await ledgerView.SenderAsync(sender, head, cancellationToken);
        if (senderInfo.WithdrawRound != 0 && senderInfo.WithdrawRound <= head.CurrentRound + 1)
        {
            return PaymentResult.Reject($"deposit and reserve for sender {sender} is set to unlock soon", sender: sender, price: payment.ExpectedPrice);
        }

        if (senderInfo.Deposit.IsZero && senderInfo.Reserve.IsZero)
        {
            return PaymentResult.Reject($"sender {sender} has no deposit and no reserve", sender: sender, price: payment.ExpectedPrice);
        }

        var aux = parameters.TicketFor(sender, 0).AuxData();
        var rand = RecipientRand.Compute(issuer.Secret.Key, parameters.Seed, sender, parameters.FaceValue, parameters.WinProb,
            parameters.ExpirationBlock, price, aux);
        if (!RecipientRand.Hash(rand).AsSpan().SequenceEqual(parameters.RecipientRandHash))
        {
            return PaymentResult.Reject(PaymentErrors.InvalidRecipientRand, sender: sender, price: payment.ExpectedPrice);
        }

        nonces.Purge(head.BlockNumber);
        var ev = parameters.ExpectedValue;
        var credit = BigRational.Zero;
        var credited = 0;
        var winners = 0;
        string? receiveError = null;
        // At most 600 nonces per params can be fresh, so tickets past the 601st would all fail the nonce check:
        // refuse them without spending a signature check on each.
        var tickets = payment.TicketSenderParams.Take(SeenNonces.MaxSenderNonces + 1);
        if (payment.TicketSenderParams.Count > SeenNonces.MaxSenderNonces + 1)
        {
            Interlocked.Add(ref ticketsReceived, payment.TicketSenderParams.Count - SeenNonces.MaxSenderNonces - 1);
        }

        foreach (var senderParams in tickets)
        {
            Interlocked.Increment(ref ticketsReceived);
            var ticket = parameters.TicketFor(sender, senderParams.SenderNonce);
            var signature = senderParams.Sig.Span;
            string? error = null;
            if (!keys.Verify(sender, ticket.SignatureDigest(), signature))
            {
                error = PaymentErrors.InvalidSignature;
            }
            else if (nonces.TryAdd(rand, senderParams.SenderNonce, parameters.ExpirationBlock) is { } nonceError)
            {
                error = nonceError;
            }
            else
            {
                if (TicketMath.IsWinning(signature, rand, parameters.WinProb))
                {
                    winners++;
                    queue.Enqueue(new WinningTicket(ticket, signature.ToArray(), rand, parameters.ExpirationBlock));
                }

                if (parameters.ExpirationBlock <= head.BlockNumber)
                {
                    error = PaymentErrors.TicketParamsExpired;
                }
            }

            receiveError ??= error;
            if (receiveError is null)
            {
                credit += ev;
                credited++;
            }
        }

        if (credited > 0)
        {
            Balances.Credit(sender, manifestId, credit);
        }

        return new PaymentResult(receiveError is null, receiveError, receiveError is null ? 200 : 400, sender, credit,
            payment.TicketSenderParams.Count, credited, winners, payment.ExpectedPrice);
    }

    /// <summary>
    /// go-livepeer's SufficientBalance: the sender's credit for this manifest id is at least one ticket EV. The AI handler
    /// checks it only when the expected price is above zero, and answers 400 "Insufficient balance" otherwise.
    /// </summary>
    public bool SufficientBalance(EthAddress sender, string manifestId) =>
        Balances.Balance(sender, manifestId) is { } balance && balance >= new BigRational(issuer.TicketEV);

    /// <summary>After a successful job: balance −= units × expected price (the price the gateway sent, as go-livepeer does).</summary>
    public BigRational DebitFees(EthAddress sender, string manifestId, PriceInfo expectedPrice, long units) =>
        Balances.Debit(sender, manifestId, Fees.Fee(units, expectedPrice));

    public BigRational? Balance(EthAddress sender, string manifestId) => Balances.Balance(sender, manifestId);
}
