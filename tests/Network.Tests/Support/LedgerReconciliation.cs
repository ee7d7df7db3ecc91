using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;

namespace LivepeerAspire.Network.Tests.Support;

/// <summary>The checks every paid whole-network test ends with: winners redeemed, and the gateway's account settled by them.</summary>
internal static class LedgerReconciliation
{
    /// <summary>
    /// Orchestrators redeem winners once their params expire (40 blocks of 250 ms in the test topologies): reads the
    /// statuses until none has a redemption pending, for at most two minutes, and returns the last reading.
    /// </summary>
    public static async Task<Dictionary<string, JsonElement>> AfterRedemptionsAsync(Func<Task<Dictionary<string, JsonElement>>> statuses)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var after = await statuses();
            if (after.Values.All(s => s.GetProperty("payments").GetProperty("pendingRedemptions").GetInt32() == 0) || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                return after;
            }

            await Task.Delay(500);
        }
    }

    /// <summary>
    /// The gateway account's deposit and reserve went down by exactly the face value of the tickets redeemed from it,
    /// each ticket redeemed once; returns those redemptions.
    /// </summary>
    public static async Task<List<Redemption>> GatewaySpendIsRedeemedFaceValueAsync(SqliteLedger ledger, string gatewayDataDir)
    {
        var gateway = EthAccount.LoadOrCreate(gatewayDataDir);
        var redemptions = (await ledger.GetRedemptionsAsync()).Where(r => r.Sender == gateway.Address).ToList();
        var funds = await ledger.GetSenderAsync(gateway.Address);
        var (funded, withdrawn) = await ledger.GetSenderTotalsAsync(gateway.Address);
        (funded - withdrawn - funds.Deposit - funds.Reserve).ShouldBe(FaceValue(redemptions));
        redemptions.Select(r => Convert.ToHexString(r.TicketHash)).Distinct().Count().ShouldBe(redemptions.Count);
        redemptions.Count.ShouldBeGreaterThan(0);
        return redemptions;
    }

    public static BigInteger FaceValue(IEnumerable<Redemption> redemptions) => redemptions.Aggregate(BigInteger.Zero, (sum, r) => sum + r.FaceValue);
}
