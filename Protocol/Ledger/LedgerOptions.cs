namespace LivepeerAspire.Protocol.Ledger;

/// <summary>
/// The embedded chain's parameters, bound from the <c>Ledger</c> section. They are written into the ledger file by
/// whichever process creates it; later processes use the stored values, so one network always has one clock.
/// </summary>
public sealed class LedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary>Time between blocks (Ethereum L1: 12 s). Ticket params live 40 blocks.</summary>
    public TimeSpan BlockTime { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>Blocks per round (mainnet RoundsManager: 5760, about a day).</summary>
    public long RoundLength { get; set; } = 5760;

    /// <summary>Number of the first block, so that round numbers look like mainnet's and never start at 0.</summary>
    public long InitialBlock { get; set; } = 20_000_000;

    /// <summary>Rounds between a sender's unlock and the earliest withdrawal (TicketBroker unlockPeriod).</summary>
    public int UnlockPeriod { get; set; } = 2;

    /// <summary>A ticket can be redeemed while creationRound + this &gt; currentRound (TicketBroker ticketValidityPeriod, 2).</summary>
    public int TicketValidityPeriod { get; set; } = 2;
}
