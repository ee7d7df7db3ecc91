using System.Globalization;
using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>
/// Issues the TicketParams an orchestrator puts in OrchestratorInfo (pm/recipient.go TicketParams): face value from the
/// redemption gas cost, win probability for the target EV, a fresh seed, recipientRand as an HMAC of all of it,
/// expiry 40 blocks ahead and the last initialised round as expiration params.
/// </summary>
public sealed class TicketIssuer
{
    /// <summary>go-livepeer's avgGasPrice (3 gwei): a face value below the tx cost at this price is refused too.</summary>
    private static readonly BigInteger AverageGasPrice = 3_000_000_000;

    private readonly EthAddress recipient;
    private readonly RecipientSecret secret;
    private readonly ILedger ledger;
    private readonly RedemptionQueue? pending;
    private readonly Random random;
    private readonly object randomLock = new();

    public TicketIssuer(EthAddress recipient, RecipientSecret secret, ILedger ledger, TicketIssuerOptions options, RedemptionQueue? pending = null, Random? random = null)
    {
        this.recipient = recipient;
        this.secret = secret;
        this.ledger = ledger;
        this.pending = pending;
        this.random = random ?? new Random();
        TicketEV = ParseWei(options.TicketEV, "TicketIssuer:TicketEV", allowZero: false);
        GasPrice = ParseWei(options.GasPrice, "TicketIssuer:GasPrice", allowZero: true);
        MaxFaceValue = ParseWei(options.MaxFaceValue, "TicketIssuer:MaxFaceValue", allowZero: true);
        if (options.RedeemGas <= 0 || options.TxCostMultiplier <= 0 || options.ParamsExpirationBlocks <= 1)
        {
            throw new ArgumentException("TicketIssuer:RedeemGas and TxCostMultiplier must be positive and ParamsExpirationBlocks above 1");
        }

        RedeemGas = options.RedeemGas;
        TxCostMultiplier = options.TxCostMultiplier;
        ParamsExpirationBlocks = options.ParamsExpirationBlocks;
    }

    public EthAddress Recipient => recipient;
    public BigInteger TicketEV { get; }
    public BigInteger GasPrice { get; }
    public BigInteger MaxFaceValue { get; }
    public long RedeemGas { get; }
    public int TxCostMultiplier { get; }
    public int ParamsExpirationBlocks { get; }

    public BigInteger TxCost => RedeemGas * GasPrice;

    internal RecipientSecret Secret => secret;

    /// <summary>Params for a sender at the advertised price (use the PriceInfo exactly as it is sent in OrchestratorInfo).</summary>
    public Task<TicketParams> IssueParamsAsync(EthAddress sender, PriceInfo advertisedPrice, CancellationToken cancellationToken = default) =>
        IssueParamsAsync(sender, PriceInfos.ToRational(advertisedPrice), cancellationToken);

    /// <summary>Params for a sender at a price in wei per unit. Throws <see cref="PaymentException"/> "insufficient sender reserve".</summary>
    public async Task<TicketParams> IssueParamsAsync(EthAddress sender, BigRational price, CancellationToken cancellationToken = default)
    {
        if (price.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(price), "a price cannot be negative");
        }

        var head = await ledger.GetHeadAsync(cancellationToken);
        var faceValue = BigInteger.Zero;
        var winProb = BigInteger.Zero;
        if (price.Sign > 0)
        {
            faceValue = await FaceValueAsync(sender, cancellationToken);
            winProb = TicketMath.WinProb(faceValue, TicketEV);
        }

        var seedBytes = new byte[32];
        lock (randomLock)
        {
            random.NextBytes(seedBytes);
        }

        var seed = BigEndian.ToBigInteger(seedBytes);
        var expirationBlock = new BigInteger(head.BlockNumber + ParamsExpirationBlocks);
        var parameters = new TicketParameters(recipient, faceValue, winProb, new byte[32], seed, expirationBlock,
            head.LastInitializedRound, head.LastInitializedRoundBlockHash);
        var rand = RecipientRand.Compute(secret.Key, seed, sender, faceValue, winProb, expirationBlock, price,
            parameters.TicketFor(sender, 0).AuxData());
        return (parameters with { RecipientRandHash = RecipientRand.Hash(rand) }).ToProto();
    }

    private async Task<BigInteger> FaceValueAsync(EthAddress sender, CancellationToken cancellationToken)
    {
        var txCost = TxCost;
        var faceValue = txCost * TxCostMultiplier;
        if (faceValue < TicketEV)
        {
            faceValue = TicketEV * 100;
        }

        faceValue = BigInteger.Min(faceValue, await MaxFloatAsync(sender, cancellationToken));
        if (MaxFaceValue > 0)
        {
            faceValue = BigInteger.Min(faceValue, MaxFaceValue);
        }

        if (faceValue < TicketEV || (faceValue < txCost && faceValue < RedeemGas * AverageGasPrice))
        {
            throw new PaymentException(PaymentErrors.InsufficientSenderReserve);
        }

        return faceValue;
    }

    /// <summary>pm/sendermonitor.go maxFloat: this orchestrator's share of the sender's reserve, less pending redemptions unless the deposit covers them 3×.</summary>
    public async Task<BigInteger> MaxFloatAsync(EthAddress sender, CancellationToken cancellationToken = default)
    {
        var reserveAlloc = await ledger.GetClaimableReserveAsync(sender, recipient, cancellationToken);
        var pendingAmount = pending?.PendingFaceValue(sender) ?? BigInteger.Zero;
        if (pendingAmount.IsZero)
        {
            return reserveAlloc;
        }

        var info = await ledger.GetSenderAsync(sender, cancellationToken);
        return info.Deposit / pendingAmount >= 3 ? reserveAlloc : reserveAlloc - pendingAmount;
    }

    internal static BigInteger ParseWei(string? text, string name, bool allowZero)
    {
        if (!BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || (!allowZero && value.IsZero))
        {
            throw new ArgumentException($"{name} must be a {(allowZero ? "non-negative" : "positive")} integer number of wei, got '{text}'");
        }

        return value;
    }
}
