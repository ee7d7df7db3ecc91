using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Ledger.Chain;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Chain.Tests;

/// <summary>
/// What the AppHost does for a "ledger": "chain" topology, on a chain that mines on a clock as the network's does:
/// the connection string is known before the chain starts, preparation deploys to exactly those addresses, and a
/// service's ledger opened from that string redeems a winner once its params have expired.
/// </summary>
public sealed class NetworkPreparationTests : IDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("chain-network-").FullName;

    public void Dispose() => Directory.Delete(data, recursive: true);

    [Fact]
    public async Task A_prepared_network_is_at_the_predicted_addresses_and_redeems_after_params_expire()
    {
        var port = DevChain.FreePort();
        var endpoint = new Uri($"http://127.0.0.1:{port}");
        var predicted = ChainDeployer.PredictConnection(endpoint, EthAccount.FromHex(DevChain.DeployerKey));
        await using var chain = await DevChain.StartAsync(TimeSpan.FromMilliseconds(250), port: port);
        var orchestratorDir = Path.Combine(data, "o1");
        var gatewayDir = Path.Combine(data, "gateway");

        var prepared = await ChainDeployer.PrepareFromDataDirsAsync(endpoint, new ChainParameters(),
            [(orchestratorDir, "https://127.0.0.1:8935", BigInteger.Pow(10, 18))], gatewayDir, 1_000_000_000_000_000, 1_000_000_000_000_000);

        prepared.ShouldBe(predicted);
        var orchestratorKey = EthAccount.LoadOrCreate(orchestratorDir);
        var gatewayKey = EthAccount.LoadOrCreate(gatewayDir);
        var orchestrator = LedgerFactory.Open(predicted.ToString(), new LedgerOptions(), TimeProvider.System, () => orchestratorKey).ShouldBeOfType<ChainLedger>();
        var gateway = LedgerFactory.Open(predicted.ToString(), new LedgerOptions(), TimeProvider.System, () => gatewayKey);
        (await gateway.GetSenderAsync(gatewayKey.Address)).ShouldBe(new SenderInfo(1_000_000_000_000_000, 1_000_000_000_000_000, 0));
        (await gateway.GetActiveOrchestratorsAsync()).Single().Address.ShouldBe(orchestratorKey.Address);

        var head = await orchestrator.GetHeadAsync();
        var rand = new BigInteger(7_777_777);
        var ticket = new Ticket(orchestratorKey.Address, gatewayKey.Address, 2_000_000_000_000, TicketMath.MaxWinProb, 1, RecipientRand.Hash(rand),
            head.LastInitializedRound, head.LastInitializedRoundBlockHash);
        var queue = new RedemptionQueue(orchestrator);
        queue.Enqueue(new WinningTicket(ticket, gatewayKey.SignDigest(ticket.SignatureDigest()), rand, head.BlockNumber + 4));

        (await queue.RedeemDueAsync()).ShouldBeEmpty(); // params not expired yet: recipientRand stays secret
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<(WinningTicket Ticket, RedeemResult Result)> results = [];
        while (results.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            results = await queue.RedeemDueAsync();
        }

        results.Single().Result.Redeemed.ShouldBeTrue(results.Single().Result.Error);
        (await orchestrator.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value.ShouldBeGreaterThanOrEqualTo(head.BlockNumber + 4);
        (await gateway.GetSenderAsync(gatewayKey.Address)).Deposit.ShouldBe(1_000_000_000_000_000 - 2_000_000_000_000);
    }
}
