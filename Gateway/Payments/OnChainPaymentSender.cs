using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Gateway.Payments;

/// <summary>
/// On-chain mode: pays each attempt with tickets signed by the gateway's key (Protocol's <see cref="PaymentSender"/>:
/// ⌈(max(fee, EV) − credit)/EV⌉ tickets per (recipient, session), maxTicketEV / maxTotalEV / depositMultiplier) and adds
/// <c>Livepeer-Payment</c> and <c>Livepeer-Segment</c>. Params that expire within
/// <see cref="OnChainPaymentOptions.ParamsRefreshBlocks"/> blocks on the ledger's clock are refreshed first with a
/// getOrchestrator for that (pipeline, model), and the fresh OrchestratorInfo is used until it expires in turn.
/// </summary>
/// <remarks>
/// Settlement: a refused attempt (503 capacity, a 4xx before the job ran, ticket errors) gives back the credit the
/// gateway held and forgets the new tickets; a failure after sending (5xx, timeout, reset, refused connection) counts
/// the credit as spent, as go-livepeer does — the gateway cannot tell whether the orchestrator read the payment.
/// </remarks>
public sealed class OnChainPaymentSender(
    PaymentSender sender,
    EthAccount account,
    ILedger ledger,
    IOrchestratorInfoClient infoClient,
    ITicketParamsStore store,
    OnChainPaymentOptions options,
    ILogger<OnChainPaymentSender> logger,
    TimeProvider time) : IPaymentSender
{
    public async ValueTask<PaymentTicket> PrepareAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        var manifestId = request.Pipeline.ManifestId(request.ModelId);
        var key = $"{request.Orchestrator.Transcoder}|{manifestId}";
        var info = Best(request.Orchestrator, await store.GetAsync(key, cancellationToken).ConfigureAwait(false));
        var head = await ledger.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        if (!Usable(info, head.BlockNumber))
        {
            info = await RefreshAsync(request, key, head.BlockNumber, cancellationToken).ConfigureAwait(false);
        }

        if (info.TicketParams is null && info.PriceInfo is { PricePerUnit: > 0 })
        {
            throw await NoParamsAsync(info, cancellationToken).ConfigureAwait(false);
        }

        PreparedPayment prepared;
        try
        {
            prepared = await sender.CreatePaymentAsync(info, request.Units, cancellationToken).ConfigureAwait(false);
        }
        catch (PaymentException e) when (e.ParamsExpired || e.ParamsExhausted)
        {
            info = await RefreshAsync(request, key, head.BlockNumber, cancellationToken).ConfigureAwait(false);
            prepared = await CreateOrExplainAsync(info, request, cancellationToken).ConfigureAwait(false);
        }
        catch (PaymentException e)
        {
            throw Explain(e, request);
        }

        var headers = new List<KeyValuePair<string, string>>
        {
            new(PaymentHeader.Name, prepared.Header),
            new(SegmentCredentials.HeaderName, SegmentCredentials.CreateHeader(account, manifestId, CapabilityRequest.For(request.Pipeline, request.ModelId), info.AuthToken)),
        };
        return new PaymentTicket(headers, prepared.Fee.Ceiling(), prepared);
    }

    public void Complete(PaymentTicket ticket, PaymentOutcome outcome)
    {
        if (ticket.State is not PreparedPayment prepared)
        {
            return;
        }

        sender.Complete(prepared, outcome switch
        {
            PaymentOutcome.Succeeded => PaymentSettlement.Succeeded,
            PaymentOutcome.Refused => PaymentSettlement.NotDelivered,
            _ => PaymentSettlement.Spent,
        });
    }

    private async Task<PreparedPayment> CreateOrExplainAsync(OrchestratorInfo info, PaymentRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await sender.CreatePaymentAsync(info, request.Units, cancellationToken).ConfigureAwait(false);
        }
        catch (PaymentException e)
        {
            throw Explain(e, request);
        }
    }

    private bool Usable(OrchestratorInfo info, long block) =>
        BlocksLeft(info, block) > options.ParamsRefreshBlocks && sender.NoncesLeft(info.TicketParams) > 0 && !TokenExpiring(info);

    private async Task<OrchestratorInfo> RefreshAsync(PaymentRequest request, string key, long block, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.Orchestrator.Transcoder, UriKind.Absolute, out var uri))
        {
            throw new PaymentUnavailableException($"orchestrator advertises no usable service URI ('{request.Orchestrator.Transcoder}') to refresh its ticket params");
        }

        try
        {
            return await store.RefreshAsync(key, async ct =>
            {
                var found = await infoClient.GetOrchestratorAsync(uri, CapabilityRequest.For(request.Pipeline, request.ModelId), ct).ConfigureAwait(false);
                logger.LogDebug("refreshed the ticket params of {Orchestrator} for {Key}", uri, key);
                return found.Info;
            }, i => Usable(i, block), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new PaymentUnavailableException($"could not refresh the ticket params of {uri}: {e.Message}", e);
        }
    }

    /// <summary>An orchestrator gives a priced job no params when the sender's reserve cannot back a ticket: say whose fault it is.</summary>
    private async Task<PaymentUnavailableException> NoParamsAsync(OrchestratorInfo info, CancellationToken cancellationToken)
    {
        var funds = await ledger.GetSenderAsync(account.Address, cancellationToken).ConfigureAwait(false);
        return funds.Deposit.IsZero || funds.Reserve.IsZero
            ? new PaymentUnavailableException($"gateway {account.Address} cannot pay: it has deposit {funds.Deposit} wei and reserve {funds.Reserve} wei on the ledger, so orchestrators issue it no ticket params; fund its deposit and reserve on the ledger")
            : new PaymentUnavailableException($"orchestrator {info.Transcoder} sent no ticket params for a priced job (its share of this gateway's reserve may be below one ticket: insufficient sender reserve)");
    }

    private PaymentUnavailableException Explain(PaymentException e, PaymentRequest request) =>
        e.Message.StartsWith("unable to validate sender", StringComparison.Ordinal)
            ? new PaymentUnavailableException($"gateway {account.Address} cannot pay: {e.Message}; fund its deposit and reserve on the ledger", e)
            : new PaymentUnavailableException($"cannot pay {request.Orchestrator.Transcoder}: {e.Message}", e);

    private static long BlocksLeft(OrchestratorInfo info, long block)
    {
        if (info.TicketParams is null || info.TicketParams.ExpirationBlock.IsEmpty)
        {
            return long.MaxValue; // nothing to refresh: unpaid, or the sender reports the missing params
        }

        var expiration = new System.Numerics.BigInteger(info.TicketParams.ExpirationBlock.Span, isUnsigned: true, isBigEndian: true);
        return expiration > long.MaxValue ? long.MaxValue : (long)expiration - block;
    }

    /// <summary>
    /// The session's OrchestratorInfo or the one this sender fetched itself, whichever has nonces left and the later
    /// expiry: a discovery refresh may have replaced the session's params since, or the fetched ones may be newer.
    /// </summary>
    private OrchestratorInfo Best(OrchestratorInfo session, OrchestratorInfo? cached) =>
        cached is null
            ? session
            : new[] { cached, session }
                .OrderByDescending(i => sender.NoncesLeft(i.TicketParams) > 0)
                .ThenByDescending(i => BlocksLeft(i, 0))
                .First();

    /// <summary>go-livepeer refreshes a session whose auth token is in its last 10 % (tokens live 30 min: 3 min before expiry).</summary>
    private bool TokenExpiring(OrchestratorInfo info) =>
        info.AuthToken is { Expiration: > 0 } token
        && time.GetUtcNow().ToUnixTimeSeconds() >= token.Expiration - options.AuthTokenRefreshMargin.TotalSeconds;
}
