using System.Numerics;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Tests.Payments;

/// <summary>Many paid jobs, then redemption after expiry: the ledger must reconcile to the wei.</summary>
public sealed class ReconciliationTests
{
    [Fact]
    public async Task Deposit_spent_equals_redeemed_face_values_and_earnings_track_EV()
    {
        // Face value 100 × EV, so about 1 % of tickets win.
        using var net = new PaymentTestNetwork(seed: 50);
        var totalEv = BigRational.Zero;
        var tickets = 0;
        var redeemedInRounds = 0;
        for (var batch = 0; batch < 6; batch++)
        {
            var info = await net.InfoAsync(new BigRational(7_000), session: $"s{batch}");
            for (var job = 0; job < 20; job++)
            {
                var units = 1024L * 1024 * 3 + job; // fee ≈ 2.2e10 wei ≈ 22 tickets of EV 1e9
                var prepared = await net.Sender.CreatePaymentAsync(info, units);
                var result = await net.Receiver.ProcessPaymentAsync(prepared.Payment, PaymentTestNetwork.ManifestId);
                result.Accepted.ShouldBeTrue(result.Error);
                net.Receiver.SufficientBalance(net.Gateway.Address, PaymentTestNetwork.ManifestId).ShouldBeTrue();
                net.Receiver.DebitFees(net.Gateway.Address, PaymentTestNetwork.ManifestId, prepared.Payment.ExpectedPrice, units);
                net.Sender.Complete(prepared, PaymentSettlement.Succeeded);
                totalEv += result.Credit;
                tickets += result.CreditedTickets;
            }

            // Nothing is redeemed before the params expire.
            (await net.Queue.RedeemDueAsync()).ShouldBeEmpty();
            net.AdvanceBlocks(41);
            redeemedInRounds += (await net.Queue.RedeemDueAsync()).Count;
        }

        net.Queue.Count.ShouldBe(0);
        var redemptions = await net.Ledger.GetRedemptionsAsync();
        redemptions.Count.ShouldBe(redeemedInRounds);
        redemptions.Count.ShouldBe((int)net.Queue.Redeemed);
        redemptions.Count.ShouldBeGreaterThan(0, "with ~1 % winners over a thousand-odd tickets some must win");

        var sender = await net.Ledger.GetSenderAsync(net.Gateway.Address);
        var depositSpent = PaymentTestNetwork.Deposit - sender.Deposit;
        var redeemedFaceValue = redemptions.Aggregate(BigInteger.Zero, (sum, r) => sum + r.FaceValue);
        depositSpent.ShouldBe(redeemedFaceValue);
        sender.Reserve.ShouldBe(PaymentTestNetwork.Reserve);
        net.Queue.RedeemedFaceValue.ShouldBe(redeemedFaceValue);
        (await net.Ledger.GetOrchestratorAsync(net.Orchestrator.Address))!.FeesEarned.ShouldBe(redeemedFaceValue);
        redemptions.Select(r => Convert.ToHexString(r.TicketHash)).Distinct().Count().ShouldBe(redemptions.Count);

        // Expected earnings (sum of EV credited) against actual: within 5 σ of a binomial count of winners.
        var faceValue = redemptions[0].FaceValue;
        var p = (totalEv / new BigRational(faceValue * tickets)).ToDouble();
        var sigma = Math.Sqrt(tickets * p * (1 - p)) * (double)faceValue;
        Math.Abs((new BigRational(redeemedFaceValue) - totalEv).ToDouble()).ShouldBeLessThan(5 * sigma + (double)faceValue);
    }
}
