namespace LivepeerAspire.Protocol.Payments;

/// <summary>
/// Orchestrator-side ticket settings, bound from the <c>TicketIssuer</c> section. Amounts are wei as integer strings.
/// go-livepeer flags: <c>-ticketEV</c>, <c>-maxFaceValue</c>; the gas price stands in for its eth_gasPrice monitor.
/// </summary>
public sealed class TicketIssuerOptions
{
    public const string SectionName = "TicketIssuer";

    /// <summary>Expected value of one ticket (go <c>-ticketEV</c>, default 8 000 000 000 wei).</summary>
    public string TicketEV { get; set; } = "8000000000";

    /// <summary>Gas price used for the redemption transaction cost (wei per gas).</summary>
    public string GasPrice { get; set; } = "100000000";

    /// <summary>Gas of one redeemWinningTicket: 1 200 000 on Arbitrum (go redeemGasL2), 350 000 on L1.</summary>
    public long RedeemGas { get; set; } = 1_200_000;

    /// <summary>faceValue = txCost × this (go's hard-coded txCostMultiplier, 100).</summary>
    public int TxCostMultiplier { get; set; } = 100;

    /// <summary>Upper bound on the face value; "0" means none (go <c>-maxFaceValue</c>).</summary>
    public string MaxFaceValue { get; set; } = "0";

    /// <summary>Params expire this many blocks after the latest block (go paramsExpirationBlock, 40).</summary>
    public int ParamsExpirationBlocks { get; set; } = 40;
}
