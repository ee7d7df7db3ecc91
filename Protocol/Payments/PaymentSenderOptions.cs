namespace LivepeerAspire.Protocol.Payments;

/// <summary>Gateway-side payment limits (go-livepeer flags in brackets); amounts are wei as integer strings. Bound from <c>Payments</c>.</summary>
public sealed class PaymentSenderOptions
{
    public const string SectionName = "Payments";

    /// <summary>Largest EV of one ticket the gateway accepts (<c>-maxTicketEV</c>, 3 000 000 000 000 wei).</summary>
    public string MaxTicketEV { get; set; } = "3000000000000";

    /// <summary>Largest EV of all tickets of one payment (<c>-maxTotalEV</c>, 20 000 000 000 000 wei).</summary>
    public string MaxTotalEV { get; set; } = "20000000000000";

    /// <summary>Face values above deposit / this are refused (<c>-depositMultiplier</c>, 1).</summary>
    public int DepositMultiplier { get; set; } = 1;

    /// <summary>How long the sender's deposit and the chain head read from the ledger are reused.</summary>
    public TimeSpan LedgerCacheTime { get; set; } = TimeSpan.FromSeconds(1);
}
