using System.Numerics;
using LivepeerAspire.Protocol.Ledger.Chain;
using LivepeerAspire.Protocol.Payments;
using Microsoft.Extensions.Time.Testing;

namespace LivepeerAspire.Chain.Tests;

/// <summary>
/// The chain stops while an orchestrator holds a winning ticket: reads fall back to what was last seen (params can still
/// be issued), the redemption stays queued, and once the chain is back (same state, same port) it is redeemed, paying
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
        RedemptionQueue queue;
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
}
