using System.Numerics;
using Google.Protobuf;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Ledger.Chain;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Chain.Tests;

/// <summary>
/// The gateway's and the orchestrator's payment code, each on its own chain ledger with its own key, as the services
/// wire them: paid jobs, winners redeemed by transactions after their params expire, and the chain reconciling to the wei.
/// </summary>
public sealed class ChainPaymentFlowTests(DevChainFixture fixture) : IClassFixture<DevChainFixture>
{
    private const string ManifestId = "27_stabilityai/sd-turbo";

    [Fact]
    public async Task Paid_jobs_settle_on_the_chain_and_the_deposit_spent_equals_the_redeemed_face_values()
    {
        var deposit = BigInteger.Pow(10, 18);
        var net = await TestNetwork.DeployAsync(fixture.Chain.Endpoint, deposit, deposit, orchestrators: 1, seed: 51);
        var random = new Random(51);
        var orchestratorKey = net.Orchestrators[0];
        var orchestratorLedger = new ChainLedger(net.Connection, orchestratorKey);
        var queue = new RedemptionQueue(orchestratorLedger);
        var secret = new byte[32];
        random.NextBytes(secret);
        // Face value 100 × EV: about 1 % of tickets win.
        var issuer = new TicketIssuer(orchestratorKey.Address, new RecipientSecret(secret), orchestratorLedger,
            new TicketIssuerOptions { GasPrice = "0", TicketEV = "1000000000" }, queue, new Random(51));
        var receiver = new PaymentReceiver(issuer, orchestratorLedger, new SenderKeyCache(Secp256k1.Default), queue, new Balances(TimeProvider.System));
        var sender = new PaymentSender(net.Gateway, net.GatewayLedger, new PaymentSenderOptions(), TimeProvider.System);
        var brokerBefore = await net.BalanceAsync(net.Connection.TicketBroker);
        var redeemed = new List<(WinningTicket Ticket, RedeemResult Result)>();
        var tickets = 0;

        for (var batch = 0; batch < 6; batch++)
        {
            var priceInfo = PriceInfos.ToPriceInfo(new BigRational(7_000), 27, "stabilityai/sd-turbo");
            var info = new OrchestratorInfo
            {
                Transcoder = "https://127.0.0.1:8935",
                Address = ByteString.CopyFrom(orchestratorKey.Address.Span),
                PriceInfo = priceInfo,
                TicketParams = await issuer.IssueParamsAsync(net.Gateway.Address, priceInfo),
                AuthToken = new AuthToken { SessionId = $"s{batch}", Token = ByteString.CopyFromUtf8("t"), Expiration = 0 },
            };
            for (var job = 0; job < 10; job++)
            {
                var units = 1024L * 1024 * 3 + job;
                var prepared = await sender.CreatePaymentAsync(info, units);
                var result = await receiver.ProcessPaymentAsync(prepared.Payment, ManifestId);
                result.Accepted.ShouldBeTrue(result.Error);
                receiver.DebitFees(net.Gateway.Address, ManifestId, prepared.Payment.ExpectedPrice, units);
                sender.Complete(prepared, PaymentSettlement.Succeeded);
                tickets += result.CreditedTickets;
            }

            (await queue.RedeemDueAsync()).ShouldBeEmpty(); // params not expired: recipientRand stays secret
            await net.MineAsync(41);
            await Task.Delay(new ChainLedgerOptions().HeadCacheTime * 2);
            redeemed.AddRange(await queue.RedeemDueAsync());
        }

        queue.Count.ShouldBe(0);
        redeemed.Count.ShouldBeGreaterThan(0, $"about 1 % of {tickets} tickets win");
        redeemed.ShouldAllBe(r => r.Result.Redeemed, string.Join("; ", redeemed.Select(r => r.Result.Error)));
        foreach (var (winner, _) in redeemed)
        {
            // The tickets the gateway signed off-chain, as the contract hashes and recovers them.
            (await orchestratorLedger.GetTicketHashOnChainAsync(winner.Ticket)).ShouldBe(winner.Ticket.Hash());
            (await orchestratorLedger.RecoverSignerOnChainAsync(winner.Ticket.Hash(), winner.Signature)).ShouldBe(net.Gateway.Address);
            (await orchestratorLedger.IsTicketUsedAsync(winner.Ticket.Hash())).ShouldBeTrue();
        }

        var faceValues = redeemed.Aggregate(BigInteger.Zero, (sum, r) => sum + r.Ticket.Ticket.FaceValue);
        var senderInfo = await orchestratorLedger.GetSenderAsync(net.Gateway.Address);
        (deposit - senderInfo.Deposit).ShouldBe(faceValues);
        senderInfo.Reserve.ShouldBe(deposit);
        (brokerBefore - await net.BalanceAsync(net.Connection.TicketBroker)).ShouldBe(faceValues);
        (await orchestratorLedger.GetOrchestratorAsync(orchestratorKey.Address))!.FeesEarned.ShouldBe(faceValues);
        queue.RedeemedFaceValue.ShouldBe(faceValues);
    }
}
