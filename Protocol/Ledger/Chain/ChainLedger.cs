using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Payments;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Contracts.CQS;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace LivepeerAspire.Protocol.Ledger.Chain;

public sealed class ChainLedgerOptions
{
    /// <summary>How long a read chain head is reused (ticket params are issued on the request path).</summary>
    public TimeSpan HeadCacheTime { get; set; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// The ledger on an EVM chain: the project's TicketBroker, OrchestratorRegistry and RoundsManager (chain/contracts),
/// reached over JSON-RPC with Nethereum. Writes are transactions signed by this process's key (one at a time, so the
/// pending nonce is always right), with gas estimated first: a revert surfaces there with the contract's reason and is
/// returned (redemptions) or thrown as <see cref="LedgerException"/>. An unreachable chain throws, except for the reads
/// that issuing params and accepting tickets need (head, sender, claimable reserve, registry): those fall back to the
/// last values read, so that orchestrators keep serving while the chain is away.
/// </summary>
public sealed partial class ChainLedger : ILedger
{
    private readonly ChainConnection connection;
    private readonly Web3 web3;
    private readonly EthAddress signer;
    private readonly TimeProvider time;
    private readonly ChainLedgerOptions options;
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly ConcurrentDictionary<EthAddress, SenderInfo> lastSenders = new();
    private readonly ConcurrentDictionary<(EthAddress, EthAddress), BigInteger> lastClaimable = new();
    private volatile List<OrchestratorRecord>? lastRegistry;
    private readonly ConcurrentDictionary<string, long> reverts = new();
    private volatile CachedHead? head; // a reference, so readers on other threads never see half an update
    private long roundLength;
    private int ticketValidityPeriod;
    private long unreachable;

    public ChainLedger(ChainConnection connection, EthAccount signer, TimeProvider? time = null, ChainLedgerOptions? options = null)
    {
        this.connection = connection;
        this.signer = signer.Address;
        this.time = time ?? TimeProvider.System;
        this.options = options ?? new ChainLedgerOptions();
        web3 = new Web3(new Account(signer.PrivateKeyHex(), connection.ChainId), connection.Endpoint.AbsoluteUri);
        web3.TransactionManager.UseLegacyAsDefault = true;
    }

    public ChainConnection Connection => connection;

    /// <summary>The address that signs this ledger's transactions.</summary>
    public EthAddress Signer => signer;

    /// <summary>Reverted transactions by revert reason (redemptions and others), since start.</summary>
    public IReadOnlyDictionary<string, long> Reverts => reverts;

    /// <summary>Reads answered from the last known values because the endpoint could not be reached.</summary>
    public long StaleReads => Interlocked.Read(ref unreachable);

    internal Web3 Web3 => web3;

    // ---- clock -------------------------------------------------------------------------------------------------

    public async Task<ChainHead> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (head is { } cached && now - cached.At < options.HeadCacheTime)
        {
            return cached.Head;
        }

        try
        {
            await EnsureParametersAsync();
            var block = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest());
            var number = (long)block.Number.Value;
            var last = (long)await QueryAsync<LastInitializedRoundFunction, BigInteger>(connection.RoundsManager, new());
            var lastHash = await QueryAsync<BlockHashForRoundFunction, byte[]>(connection.RoundsManager, new() { Round = last });
            var fresh = new ChainHead(number, Convert.FromHexString(block.BlockHash[2..]), number / roundLength, last, lastHash, roundLength, ticketValidityPeriod);
            head = new CachedHead(fresh, now);
            return fresh;
        }
        catch (Exception e) when (IsUnreachable(e) && head is { } stale)
        {
            Interlocked.Increment(ref unreachable);
            return stale.Head;
        }
    }

    // ---- senders -----------------------------------------------------------------------------------------------

    public async Task<SenderInfo> GetSenderAsync(EthAddress sender, CancellationToken cancellationToken = default)
    {
        try
        {
            var info = await QueryDtoAsync<GetSenderInfoFunction, SenderInfoOutput>(connection.TicketBroker, new() { Sender = sender.ToLowerHex() });
            var result = new SenderInfo(info.Deposit, info.ReserveFunds, (long)info.WithdrawRound);
            lastSenders[sender] = result;
            return result;
        }
        catch (Exception e) when (IsUnreachable(e) && lastSenders.TryGetValue(sender, out var stale))
        {
            Interlocked.Increment(ref unreachable);
            return stale;
        }
    }

    public async Task<SenderInfo> FundDepositAndReserveAsync(EthAddress sender, BigInteger deposit, BigInteger reserve, CancellationToken cancellationToken = default)
    {
        if (deposit.Sign < 0 || reserve.Sign < 0 || (deposit + reserve).IsZero)
        {
            throw new LedgerException("funding amounts must be non-negative and not both zero");
        }

        RequireSelf(sender, "fund");
        await SendAsync(connection.TicketBroker, new FundDepositAndReserveFunction { DepositAmount = deposit, ReserveAmount = reserve, AmountToSend = deposit + reserve }, cancellationToken);
        return await GetSenderAsync(sender, cancellationToken);
    }

    public async Task<SenderInfo> UnlockAsync(EthAddress sender, CancellationToken cancellationToken = default)
    {
        RequireSelf(sender, "unlock");
        await SendAsync(connection.TicketBroker, new UnlockFunction(), cancellationToken);
        return await GetSenderAsync(sender, cancellationToken);
    }

    public async Task<SenderInfo> CancelUnlockAsync(EthAddress sender, CancellationToken cancellationToken = default)
    {
        RequireSelf(sender, "cancel the unlock of");
        await SendAsync(connection.TicketBroker, new CancelUnlockFunction(), cancellationToken);
        return await GetSenderAsync(sender, cancellationToken);
    }

    public async Task<BigInteger> WithdrawAsync(EthAddress sender, CancellationToken cancellationToken = default)
    {
        RequireSelf(sender, "withdraw for");
        var receipt = await SendAsync(connection.TicketBroker, new WithdrawFunction(), cancellationToken);
        return receipt.DecodeAllEvents<WithdrawalEvent>().Aggregate(BigInteger.Zero, (sum, e) => sum + e.Event.Deposit + e.Event.Reserve);
    }

    // ---- orchestrators -----------------------------------------------------------------------------------------

    /// <summary>
    /// The registry's owner (the deployer) registers any orchestrator with a stake; an orchestrator signing for itself
    /// can only set its service URI, since stake stands in for bonding and is assigned by the owner.
    /// </summary>
    public async Task RegisterOrchestratorAsync(EthAddress orchestrator, string serviceUri, BigInteger stake, CancellationToken cancellationToken = default)
    {
        if (orchestrator.IsZero || stake.Sign < 0 || string.IsNullOrWhiteSpace(serviceUri))
        {
            throw new LedgerException("an orchestrator needs a non-zero address, a service URI and a stake ≥ 0");
        }

        var owner = EthAddress.Parse(await QueryAsync<OwnerFunction, string>(connection.Registry, new()));
        if (owner == signer)
        {
            await SendAsync(connection.Registry, new RegisterForFunction { Address = orchestrator.ToLowerHex(), ServiceUri = serviceUri, Stake = stake }, cancellationToken);
            return;
        }

        RequireSelf(orchestrator, "register");
        var existing = await GetOrchestratorAsync(orchestrator, cancellationToken);
        if ((existing?.Stake ?? BigInteger.Zero) != stake)
        {
            throw new LedgerException($"stake is assigned by the registry owner {owner}; {orchestrator} can only set its service URI");
        }

        await SendAsync(connection.Registry, new SetServiceUriFunction { ServiceUri = serviceUri }, cancellationToken);
    }

    public async Task<IReadOnlyList<OrchestratorRecord>> GetActiveOrchestratorsAsync(CancellationToken cancellationToken = default) =>
        (await ReadRegistryAsync()).Where(o => o.Stake.Sign > 0).ToList();

    public async Task<OrchestratorRecord?> GetOrchestratorAsync(EthAddress orchestrator, CancellationToken cancellationToken = default) =>
        (await ReadRegistryAsync()).FirstOrDefault(o => o.Address == orchestrator);

    private async Task<List<OrchestratorRecord>> ReadRegistryAsync()
    {
        try
        {
            var all = await QueryDtoAsync<GetOrchestratorsFunction, OrchestratorsOutput>(connection.Registry, new());
            var records = all.Addresses.Select((a, i) => new OrchestratorRecord(EthAddress.Parse(a), all.Uris[i], all.Stakes[i], all.Fees[i])).ToList();
            lastRegistry = records;
            return records;
        }
        catch (Exception e) when (IsUnreachable(e) && lastRegistry is { } stale)
        {
            Interlocked.Increment(ref unreachable);
            return stale;
        }
    }

    // ---- tickets -----------------------------------------------------------------------------------------------

    public async Task<bool> IsTicketUsedAsync(ReadOnlyMemory<byte> ticketHash, CancellationToken cancellationToken = default) =>
        await QueryAsync<UsedTicketsFunction, bool>(connection.TicketBroker, new() { Hash = ticketHash.ToArray() });

    public async Task<BigInteger> GetClaimableReserveAsync(EthAddress sender, EthAddress recipient, CancellationToken cancellationToken = default)
    {
        try
        {
            var claimable = await QueryAsync<ClaimableReserveFunction, BigInteger>(connection.TicketBroker,
                new() { ReserveHolder = sender.ToLowerHex(), Claimant = recipient.ToLowerHex() });
            lastClaimable[(sender, recipient)] = claimable;
            return claimable;
        }
        catch (Exception e) when (IsUnreachable(e) && lastClaimable.TryGetValue((sender, recipient), out var stale))
        {
            Interlocked.Increment(ref unreachable);
            return stale;
        }
    }

    /// <summary>The contract's getTicketHash for a ticket (its keccak256(abi.encodePacked(…))).</summary>
    public async Task<byte[]> GetTicketHashOnChainAsync(Ticket ticket) =>
        await QueryAsync<GetTicketHashFunction, byte[]>(connection.TicketBroker, new() { Ticket = TicketTuple.From(ticket) });

    /// <summary>The contract's EIP-191 signer recovery over a ticket hash (the zero address for an invalid signature).</summary>
    public async Task<EthAddress> RecoverSignerOnChainAsync(ReadOnlyMemory<byte> ticketHash, ReadOnlyMemory<byte> signature) =>
        EthAddress.Parse(await QueryAsync<RecoverSignerFunction, string>(connection.TicketBroker, new() { TicketHash = ticketHash.ToArray(), Sig = signature.ToArray() }));

    public async Task<RedeemResult> RedeemWinningTicketAsync(Ticket ticket, ReadOnlyMemory<byte> signature, BigInteger recipientRand, CancellationToken cancellationToken = default)
    {
        if (recipientRand.Sign < 0 || recipientRand.GetByteCount(isUnsigned: true) > 32)
        {
            // Not a uint256: no transaction could carry it, and no hash could match it.
            return Counted(RedeemResult.Fail("recipientRand does not match recipientRandHash"));
        }

        await InitializeRoundIfNeededAsync(cancellationToken);
        TransactionReceipt receipt;
        try
        {
            receipt = await SendAsync(connection.TicketBroker, new RedeemWinningTicketFunction
            {
                Ticket = TicketTuple.From(ticket),
                Sig = signature.ToArray(),
                RecipientRand = recipientRand,
            }, cancellationToken, countReverts: false);
        }
        catch (LedgerException e)
        {
            return Counted(RedeemResult.Fail(e.Message));
        }

        var paid = receipt.DecodeAllEvents<WinningTicketTransferEvent>().Aggregate(BigInteger.Zero, (sum, e) => sum + e.Event.Amount);
        var fromReserve = receipt.DecodeAllEvents<ReserveClaimedEvent>().Aggregate(BigInteger.Zero, (sum, e) => sum + e.Event.Amount);
        return new RedeemResult(true, null, paid - fromReserve, fromReserve) { TransactionHash = receipt.TransactionHash };
    }

    /// <summary>RoundsManager.initializeRound when the current round is not initialised yet (go-livepeer's -initializeRound).</summary>
    public async Task InitializeRoundIfNeededAsync(CancellationToken cancellationToken = default)
    {
        // No eth_call of currentRoundInitialized first: a call runs in the latest block, the next transaction in the one
        // after, which at a round boundary is already the next round. Gas estimation runs where the transaction would.
        try
        {
            await SendAsync(connection.RoundsManager, new InitializeRoundFunction(), cancellationToken, countReverts: false);
            head = null;
        }
        catch (LedgerException e) when (e.Message == "round already initialized")
        {
            // Another node initialised it first.
        }
    }

    // ---- transport ---------------------------------------------------------------------------------------------

    private sealed record CachedHead(ChainHead Head, DateTimeOffset At);

    private RedeemResult Counted(RedeemResult result)
    {
        if (result.Error is { } reason)
        {
            reverts.AddOrUpdate(reason, 1, (_, n) => n + 1);
        }

        return result;
    }

    private void RequireSelf(EthAddress account, string what)
    {
        if (account != signer)
        {
            throw new LedgerException($"this chain ledger signs as {signer}; it cannot {what} {account}");
        }
    }

    private async Task EnsureParametersAsync()
    {
        if (roundLength == 0)
        {
            ticketValidityPeriod = (int)await QueryAsync<TicketValidityPeriodFunction, BigInteger>(connection.TicketBroker, new());
            roundLength = (long)await QueryAsync<RoundLengthFunction, BigInteger>(connection.RoundsManager, new());
        }
    }

    private Task<TOut> QueryAsync<TFunction, TOut>(EthAddress contract, TFunction message)
        where TFunction : FunctionMessage, new() =>
        web3.Eth.GetContractQueryHandler<TFunction>().QueryAsync<TOut>(contract.ToLowerHex(), message);

    private Task<TOut> QueryDtoAsync<TFunction, TOut>(EthAddress contract, TFunction message)
        where TFunction : FunctionMessage, new()
        where TOut : IFunctionOutputDTO, new() =>
        web3.Eth.GetContractQueryHandler<TFunction>().QueryDeserializingToObjectAsync<TOut>(message, contract.ToLowerHex());

    /// <summary>
    /// Estimates gas (a revert fails here, with the contract's reason), sends with a margin and waits for the receipt;
    /// a receipt with status 0 (reverted in the block, e.g. after a race) is "transaction failed".
    /// </summary>
    internal async Task<TransactionReceipt> SendAsync<TFunction>(EthAddress contract, TFunction message, CancellationToken cancellationToken, bool countReverts = true)
        where TFunction : FunctionMessage, new()
    {
        var handler = web3.Eth.GetContractTransactionHandler<TFunction>();
        var address = contract.ToLowerHex();
        await sending.WaitAsync(cancellationToken);
        try
        {
            message.FromAddress = signer.ToLowerHex();
            try
            {
                var gas = await handler.EstimateGasAsync(address, message);
                message.Gas = gas.Value * 5 / 4 + 20_000;
            }
            catch (Exception e) when (RevertReason(e) is { } reason)
            {
                if (countReverts)
                {
                    reverts.AddOrUpdate(reason, 1, (_, n) => n + 1);
                }

                throw new LedgerException(reason);
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromMinutes(2));
            var receipt = await handler.SendRequestAndWaitForReceiptAsync(address, message, wait);
            if (receipt.Status?.Value != BigInteger.One)
            {
                throw new LedgerException("transaction failed");
            }

            return receipt;
        }
        finally
        {
            sending.Release();
        }
    }

    /// <summary>The reason of a contract revert in a JSON-RPC error, or null when the error is not a revert.</summary>
    internal static string? RevertReason(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is Nethereum.ABI.FunctionEncoding.SmartContractRevertException revert)
            {
                return revert.RevertMessage;
            }

            if (x is RpcResponseException rpc && RevertInMessage().Match(rpc.RpcError?.Message ?? rpc.Message) is { Success: true } match)
            {
                // ganache: "VM Exception while processing transaction: revert <reason>"; geth, anvil: "execution reverted: <reason>".
                var reason = match.Groups[1].Value.Trim();
                return reason.Length > 0 ? reason : "reverted without a reason";
            }
        }

        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\brevert(?:ed)?\b:?(.*)$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex RevertInMessage();

    /// <summary>True when the error is the endpoint being unreachable (refused, reset, timed out), not an answer.</summary>
    public static bool IsUnreachable(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is HttpRequestException or SocketException or RpcClientTimeoutException or TaskCanceledException)
            {
                return true;
            }
        }

        return false;
    }
}
