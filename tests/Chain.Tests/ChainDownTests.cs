using System.Numerics;
using Google.Protobuf;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger.Chain;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;
using Microsoft.Extensions.Time.Testing;

namespace LivepeerAspire.Chain.Tests;

/// <summary>
/// The chain stops while an orchestrator holds a winning ticket: reads fall back to what was last seen, so params are
/// still issued and a paid job's tickets still accepted, the redemption stays queued, and once the chain is back (same state, same port) it is redeemed, paying
/// exactly the face value.
/// </summary>
public sealed class ChainDownTests : IDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("chain-down-").FullName;

    public void Dispose() => Directory.Delete(data, recursive: true);

    [Fact]
    public async Task A_winner_queued_while_the_chain_is_down_is_redeemed_when_it_returns()
    {
        var port = DevChain.FreePort();
        string[] persist = ["--database.dbPath", data];
        var chain = await DevChain.StartAsync(TimeSpan.Zero, port: port, extraArguments: persist);
        TestNetwork net;
        ChainLedger orchestrator;
        ChainLedger gatewayLedger;
        RedemptionQueue queue;
        TicketIssuer issuer;
        PaymentReceiver receiver;
        PaymentSender sender;
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var faceValue = new BigInteger(5_000_000_000_000);
        try
        {
            net = await TestNetwork.DeployAsync(chain.Endpoint, BigInteger.Pow(10, 18), BigInteger.Pow(10, 18));
            orchestrator = new ChainLedger(net.Connection, net.Orchestrators[0], clock);
            var head = await orchestrator.GetHeadAsync();
            (await orchestrator.GetSenderAsync(net.Gateway.Address)).Deposit.ShouldBe(BigInteger.Pow(10, 18));
            var (ticket, signature, rand) = await net.TicketAsync(net.Orchestrators[0], faceValue);
            queue = new RedemptionQueue(orchestrator);
            queue.Enqueue(new WinningTicket(ticket, signature, rand, head.BlockNumber));

            // The orchestrator's and the gateway's payment code, serving one paid job while the chain is up.
            gatewayLedger = new ChainLedger(net.Connection, net.Gateway, clock);
            var serving = new RedemptionQueue(orchestrator);
            issuer = new TicketIssuer(net.Orchestrators[0].Address, new RecipientSecret(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
                orchestrator, new TicketIssuerOptions { GasPrice = "0", TicketEV = "1000000000" }, serving, new Random(3));
            receiver = new PaymentReceiver(issuer, orchestrator, new SenderKeyCache(Secp256k1.Default), serving, new Balances(clock));
            sender = new PaymentSender(net.Gateway, gatewayLedger, new PaymentSenderOptions(), clock);
            (await PayAsync(issuer, receiver, sender, net, "up")).Accepted.ShouldBeTrue();
        }
        finally
        {
            await chain.DisposeAsync();
        }

        // Down: the queue keeps the ticket, and reads answer from what was last seen.
        clock.Advance(TimeSpan.FromSeconds(5));
        await Should.ThrowAsync<Exception>(() => queue.RedeemDueAsync());
        queue.Count.ShouldBe(1);
        (await orchestrator.GetHeadAsync()).BlockNumber.ShouldBeGreaterThan(0);
        (await orchestrator.GetSenderAsync(net.Gateway.Address)).Deposit.ShouldBe(BigInteger.Pow(10, 18));
        orchestrator.StaleReads.ShouldBeGreaterThanOrEqualTo(2);
        var whileDown = await PayAsync(issuer, receiver, sender, net, "down");
        whileDown.Accepted.ShouldBeTrue(whileDown.Error); // params issued and tickets accepted from the last values seen
        whileDown.CreditedTickets.ShouldBeGreaterThan(0);

        await using var back = await DevChain.StartAsync(TimeSpan.Zero, port: port, extraArguments: persist);
        clock.Advance(TimeSpan.FromSeconds(5));
        var brokerBefore = await net.BalanceAsync(net.Connection.TicketBroker);
        var results = await queue.RedeemDueAsync();

        results.Single().Result.Redeemed.ShouldBeTrue(results.Single().Result.Error);
        queue.Count.ShouldBe(0);
        queue.Redeemed.ShouldBe(1);
        (brokerBefore - await net.BalanceAsync(net.Connection.TicketBroker)).ShouldBe(faceValue);
        (await orchestrator.GetSenderAsync(net.Gateway.Address)).Deposit.ShouldBe(BigInteger.Pow(10, 18) - faceValue);
    }

    private static async Task<PaymentResult> PayAsync(TicketIssuer issuer, PaymentReceiver receiver, PaymentSender sender, TestNetwork net, string session)
    {
        var priceInfo = PriceInfos.ToPriceInfo(new BigRational(7_000), 27, "stabilityai/sd-turbo");
        var info = new OrchestratorInfo
        {
            Transcoder = "https://127.0.0.1:8935",
            Address = ByteString.CopyFrom(net.Orchestrators[0].Address.Span),
            PriceInfo = priceInfo,
            TicketParams = await issuer.IssueParamsAsync(net.Gateway.Address, priceInfo),
            AuthToken = new AuthToken { SessionId = session, Token = ByteString.CopyFromUtf8("t"), Expiration = 0 },
        };
        var prepared = await sender.CreatePaymentAsync(info, 1024L * 1024 * 3);
        var result = await receiver.ProcessPaymentAsync(prepared.Payment, "27_stabilityai/sd-turbo");
        sender.Complete(prepared, PaymentSettlement.Succeeded);
        return result;
    }
}
