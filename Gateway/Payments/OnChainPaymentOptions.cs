namespace LivepeerAspire.Gateway.Payments;

/// <summary>
/// The gateway's on-chain settings beyond Protocol's PaymentSenderOptions (same <c>Payments</c> section:
/// MaxTicketEV, MaxTotalEV, DepositMultiplier, LedgerCacheTime).
/// </summary>
public sealed class OnChainPaymentOptions
{
    /// <summary>Directory of the gateway's <c>eth.key</c> (go-livepeer <c>-datadir</c>); created with a fresh key if absent.</summary>
    public string DataDir { get; set; } = "";

    /// <summary>Params with this many blocks or fewer left are refreshed before paying (go refreshes at ≤ 1 block left, on error).</summary>
    public int ParamsRefreshBlocks { get; set; } = 3;

    /// <summary>A session whose auth token expires within this margin is refreshed before paying (go-livepeer: the last 10 % of 30 min).</summary>
    public TimeSpan AuthTokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>How long the ledger's registry (service URIs, stakes) is reused by discovery and the stake reader.</summary>
    public TimeSpan RegistryCacheTime { get; set; } = TimeSpan.FromSeconds(5);
}
