using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Protocol.Ledger;

/// <summary>
/// What the network needs from the chain: a block clock and rounds (RoundsManager), sender funds (TicketBroker),
/// the orchestrator registry (BondingManager/ServiceRegistry) and ticket redemption. Implemented by the embedded
/// <see cref="SqliteLedger"/> and by <see cref="Chain.ChainLedger"/> on an EVM chain; <see cref="LedgerFactory"/> picks one.
/// </summary>
public interface ILedger
{
    Task<ChainHead> GetHeadAsync(CancellationToken cancellationToken = default);

    Task<SenderInfo> GetSenderAsync(EthAddress sender, CancellationToken cancellationToken = default);

    /// <summary>fundDepositAndReserve: adds to the sender's deposit and reserve (either may be zero).</summary>
    Task<SenderInfo> FundDepositAndReserveAsync(EthAddress sender, BigInteger deposit, BigInteger reserve, CancellationToken cancellationToken = default);

    /// <summary>unlock: withdrawRound = currentRound + unlockPeriod.</summary>
    Task<SenderInfo> UnlockAsync(EthAddress sender, CancellationToken cancellationToken = default);

    Task<SenderInfo> CancelUnlockAsync(EthAddress sender, CancellationToken cancellationToken = default);

    /// <summary>withdraw: once the unlock period has passed, pays out deposit and remaining reserve; returns the amount.</summary>
    Task<BigInteger> WithdrawAsync(EthAddress sender, CancellationToken cancellationToken = default);

    /// <summary>Registers (or updates) an orchestrator with its service URI and stake; stake &gt; 0 makes it active.</summary>
    Task RegisterOrchestratorAsync(EthAddress orchestrator, string serviceUri, BigInteger stake, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<OrchestratorRecord>> GetActiveOrchestratorsAsync(CancellationToken cancellationToken = default);

    Task<OrchestratorRecord?> GetOrchestratorAsync(EthAddress orchestrator, CancellationToken cancellationToken = default);

    Task<bool> IsTicketUsedAsync(ReadOnlyMemory<byte> ticketHash, CancellationToken cancellationToken = default);

    /// <summary>Reserve the recipient may still claim from the sender this round (0 when it is not an active orchestrator).</summary>
    Task<BigInteger> GetClaimableReserveAsync(EthAddress sender, EthAddress recipient, CancellationToken cancellationToken = default);

    /// <summary>redeemWinningTicket with TicketBroker's checks, in its order; the result carries the revert reason.</summary>
    Task<RedeemResult> RedeemWinningTicketAsync(Ticket ticket, ReadOnlyMemory<byte> signature, BigInteger recipientRand, CancellationToken cancellationToken = default);
}

/// <summary>The clock as a node sees it: latest block and the last initialised round with its block hash.</summary>
public sealed record ChainHead(
    long BlockNumber,
    byte[] BlockHash,
    long CurrentRound,
    long LastInitializedRound,
    byte[] LastInitializedRoundBlockHash,
    long RoundLength,
    int TicketValidityPeriod);

public sealed record SenderInfo(BigInteger Deposit, BigInteger Reserve, long WithdrawRound)
{
    public static readonly SenderInfo Empty = new(BigInteger.Zero, BigInteger.Zero, 0);

    /// <summary>TicketBroker's isLocked for a round: no unlock requested, or the unlock round not reached yet.</summary>
    public bool IsLocked(long currentRound) => WithdrawRound == 0 || currentRound < WithdrawRound;
}

public sealed record OrchestratorRecord(EthAddress Address, string ServiceUri, BigInteger Stake, BigInteger FeesEarned);

/// <summary>Outcome of a redemption: success with the amounts paid, or TicketBroker's revert reason.</summary>
public sealed record RedeemResult(bool Redeemed, string? Error, BigInteger FromDeposit, BigInteger FromReserve)
{
    public BigInteger Paid => FromDeposit + FromReserve;

    /// <summary>The redeeming transaction on a chain ledger (null on the embedded ledger).</summary>
    public string? TransactionHash { get; init; }

    public static RedeemResult Fail(string error) => new(false, error, BigInteger.Zero, BigInteger.Zero);
}
