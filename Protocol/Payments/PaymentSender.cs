using System.Numerics;
using Google.Protobuf;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>How a paid request ended, for <see cref="PaymentSender.Complete"/>.</summary>
public enum PaymentSettlement
{
    /// <summary>HTTP 200: the orchestrator credited the tickets and debited the fee.</summary>
    Succeeded,

    /// <summary>The orchestrator never processed the payment (connection failed, or 503 before payment): nothing was credited there.</summary>
    NotDelivered,

    /// <summary>Anything else after sending: counted as spent, as go-livepeer does (the orchestrator keeps any surplus).</summary>
    Spent,
}

/// <summary>A payment ready to send, and what to settle afterwards.</summary>
public sealed record PreparedPayment(
    Payment Payment,
    string Header,
    int TicketCount,
    BigRational Fee,
    BigRational ExistingCredit,
    BigRational NewCredit,
    EthAddress Recipient,
    string SessionId);

/// <summary>
/// The gateway's side of payments (server/segment_rpc.go newBalanceUpdate + genPayment, pm/sender.go): tops the credit
/// for (recipient, session) up to max(fee, EV) with ⌈(max(fee, EV) − credit)/EV⌉ signed tickets (nonces 1, 2, … per
/// params), after checking the orchestrator's params against maxTicketEV, maxTotalEV and the sender's own deposit.
/// </summary>
public sealed class PaymentSender
{
    /// <summary>Params with fewer than this many blocks left are treated as expired (go paramsExpiryBuffer).</summary>
    public const int ParamsExpiryBuffer = 1;

    private readonly EthAccount account;
    private readonly ILedger ledger;
    private readonly TimeProvider time;
    private readonly TimeSpan cacheTime;
    private readonly ISenderNonces nonces;
    private readonly SemaphoreSlim refresh = new(1, 1);
    private (ChainHead Head, SenderInfo Info, DateTimeOffset At)? cached;

    public PaymentSender(EthAccount account, ILedger ledger, PaymentSenderOptions options, TimeProvider? time = null, ISenderNonces? nonces = null)
    {
        this.account = account;
        this.nonces = nonces ?? new LocalSenderNonces();
        this.ledger = ledger;
        this.time = time ?? TimeProvider.System;
        MaxTicketEV = TicketIssuer.ParseWei(options.MaxTicketEV, "Payments:MaxTicketEV", allowZero: true);
        MaxTotalEV = TicketIssuer.ParseWei(options.MaxTotalEV, "Payments:MaxTotalEV", allowZero: true);
        if (options.DepositMultiplier <= 0)
        {
            throw new ArgumentException("Payments:DepositMultiplier must be a positive integer");
        }

        DepositMultiplier = options.DepositMultiplier;
        cacheTime = options.LedgerCacheTime;
        Balances = new Balances(this.time);
    }

    public EthAddress Address => account.Address;
    public BigInteger MaxTicketEV { get; }
    public BigInteger MaxTotalEV { get; }
    public int DepositMultiplier { get; }

    /// <summary>Credit the gateway holds per (recipient, auth-token session id).</summary>
    public Balances Balances { get; }

    /// <summary>A payment for <paramref name="units"/> at the orchestrator's advertised price (info.price_info).</summary>
    public Task<PreparedPayment> CreatePaymentAsync(OrchestratorInfo info, long units, CancellationToken cancellationToken = default)
    {
        if (!PriceInfos.TryToRational(info.PriceInfo, out var price, out var error))
        {
            throw new PaymentException($"orchestrator {info.Transcoder} advertises an unusable price: {error}");
        }

        return CreatePaymentAsync(info, Fees.Fee(units, price), cancellationToken);
    }

    /// <summary>
    /// Builds and signs a payment covering <paramref name="fee"/>. Throws <see cref="PaymentException"/> with go-livepeer's
    /// message when the params are unusable (<see cref="PaymentException.ParamsExpired"/> means: refresh this orchestrator).
    /// </summary>
    public async Task<PreparedPayment> CreatePaymentAsync(OrchestratorInfo info, BigRational fee, CancellationToken cancellationToken = default)
    {
        if (fee.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fee), "a fee cannot be negative");
        }

        if (!PriceInfos.TryToRational(info.PriceInfo, out _, out var priceError))
        {
            throw new PaymentException($"orchestrator {info.Transcoder} advertises an unusable price: {priceError}");
        }

        if (!TicketParameters.TryDecode(info.TicketParams, info.TicketParams?.ExpirationParams, out var parameters, out var error))
        {
            throw new PaymentException($"orchestrator {info.Transcoder} sent unusable ticket params: {error}");
        }

        var sessionId = info.AuthToken?.SessionId ?? "";
        var owner = parameters.Recipient;
        var ev = parameters.ExpectedValue;
        var minCredit = fee > ev ? fee : ev;
        var existing = Balances.Take(owner, sessionId);
        var numTickets = 0;
        if (existing < minCredit && ev.Sign > 0)
        {
            numTickets = checked((int)((minCredit - existing) / ev).Ceiling());
        }

        try
        {
            var (head, senderInfo) = await ChainStateAsync(cancellationToken);
            Validate(parameters, numTickets, head, senderInfo);
        }
        catch
        {
            Balances.Credit(owner, sessionId, existing);
            throw;
        }

        var payment = new Payment
        {
            TicketParams = info.TicketParams,
            Sender = ByteString.CopyFrom(account.Address.Span),
            ExpirationParams = info.TicketParams!.ExpirationParams,
            ExpectedPrice = info.PriceInfo,
        };
        if (numTickets > 0)
        {
            if (numTickets > SeenNonces.MaxSenderNonces)
            {
                Balances.Credit(owner, sessionId, existing);
                throw new PaymentException($"a payment of {numTickets} tickets exceeds the {SeenNonces.MaxSenderNonces} sender nonces an orchestrator accepts per ticket params; raise the ticket EV or lower the job size");
            }

            uint[]? reserved;
            try
            {
                reserved = await nonces.TryReserveAsync(parameters, numTickets, cancellationToken);
            }
            catch
            {
                Balances.Credit(owner, sessionId, existing);
                throw;
            }

            if (reserved is null)
            {
                Balances.Credit(owner, sessionId, existing);
                throw new PaymentException(PaymentErrors.TicketParamsExhausted);
            }

            foreach (var nonce in reserved)
            {
                var ticket = parameters.TicketFor(account.Address, nonce);
                payment.TicketSenderParams.Add(new TicketSenderParams
                {
                    SenderNonce = nonce,
                    Sig = ByteString.CopyFrom(account.SignDigest(ticket.SignatureDigest())),
                });
            }
        }

        return new PreparedPayment(payment, PaymentHeader.Encode(payment), numTickets, fee, existing, ev * new BigRational(numTickets), parameters.Recipient, sessionId);
    }

    /// <summary>Sender nonces still free on these params (an orchestrator accepts <see cref="SeenNonces.MaxSenderNonces"/> per params).</summary>
    public int NoncesLeft(TicketParams? ticketParams)
    {
        if (ticketParams is null || ticketParams.RecipientRandHash.IsEmpty)
        {
            return SeenNonces.MaxSenderNonces;
        }

        return (int)Math.Max(0, SeenNonces.MaxSenderNonces - nonces.Used(ticketParams.RecipientRandHash.Span));
    }

    /// <summary>Settles the local balance after the request (go's completeBalanceUpdate, see <see cref="PaymentSettlement"/>).</summary>
    public void Complete(PreparedPayment payment, PaymentSettlement outcome)
    {
        var owner = payment.Recipient;
        switch (outcome)
        {
            case PaymentSettlement.Succeeded:
                Balances.Credit(owner, payment.SessionId, payment.ExistingCredit + payment.NewCredit - payment.Fee);
                break;
            case PaymentSettlement.NotDelivered:
                Balances.Credit(owner, payment.SessionId, payment.ExistingCredit);
                break;
            case PaymentSettlement.Spent:
                break;
        }
    }

    /// <summary>pm/sender.go validateTicketParams for a batch of <paramref name="numTickets"/>.</summary>
    internal void Validate(TicketParameters parameters, int numTickets, ChainHead head, SenderInfo senderInfo)
    {
        if (parameters.ExpirationBlock.IsZero)
        {
            throw new PaymentException("invalid ticket params: expiration block is 0");
        }

        if (parameters.ExpirationBlock - head.BlockNumber <= ParamsExpiryBuffer)
        {
            throw new PaymentException(PaymentErrors.TicketParamsExpired);
        }

        var ev = parameters.ExpectedValue;
        if (ev.Sign <= 0)
        {
            return;
        }

        if (ev >= new BigRational(parameters.FaceValue))
        {
            throw new PaymentException($"ticket EV {ev} is not below its face value {parameters.FaceValue}");
        }

        if (ev > new BigRational(MaxTicketEV))
        {
            throw new PaymentException($"TicketParams ticket EV {Fees.ToWeiString(ev)} exceeds max ticket EV {MaxTicketEV}");
        }

        if (senderInfo.WithdrawRound != 0 && senderInfo.WithdrawRound <= head.CurrentRound + 1)
        {
            throw new PaymentException("unable to validate sender: deposit and reserve is set to unlock soon");
        }

        if (senderInfo.Reserve.IsZero)
        {
            throw new PaymentException("unable to validate sender: no sender reserve");
        }

        if (senderInfo.Deposit.IsZero)
        {
            throw new PaymentException("unable to validate sender: no sender deposit");
        }

        var total = ev * new BigRational(numTickets);
        if (total > new BigRational(MaxTotalEV))
        {
            throw new PaymentException($"total ticket EV {Fees.ToWeiString(total)} for {numTickets} tickets exceeds max total ticket EV {MaxTotalEV}");
        }

        var maxFaceValue = senderInfo.Deposit / DepositMultiplier;
        if (parameters.FaceValue > maxFaceValue)
        {
            throw new PaymentException($"ticket faceValue {parameters.FaceValue} exceeds max ticket faceValue {maxFaceValue}");
        }
    }

    private async Task<(ChainHead, SenderInfo)> ChainStateAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cached is { } c && now - c.At < cacheTime)
        {
            return (c.Head, c.Info);
        }

        await refresh.WaitAsync(cancellationToken);
        try
        {
            if (cached is { } again && now - again.At < cacheTime)
            {
                return (again.Head, again.Info);
            }

            var head = await ledger.GetHeadAsync(cancellationToken);
            var info = await ledger.GetSenderAsync(account.Address, cancellationToken);
            cached = (head, info, now);
            nonces.Purge(head.BlockNumber);
            return (head, info);
        }
        finally
        {
            refresh.Release();
        }
    }

    /// <summary>Forgets the cached deposit and head (after funding, say).</summary>
    public void InvalidateLedgerCache() => cached = null;
}
