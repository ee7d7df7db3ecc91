using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Network.Tests.Support;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger.Chain;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Payments;

/// <summary>The network of <c>topologies/payments-chain.json</c>: the AppHost starts ganache, deploys the contracts, registers and funds.</summary>
public sealed class ChainNetworkFixture() : TopologyNetworkFixture("payments-chain.json")
{
    public string GatewayDataDir => Path.Combine(Network.RunDirectory, "gateway", "data");
}

[CollectionDefinition(Name)]
public sealed class ChainNetwork : ICollectionFixture<ChainNetworkFixture>
{
    public const string Name = "Chain network";
}

/// <summary>
/// Paid jobs on the contracts: orchestrators redeem their winners by transactions, and what the gateway's deposit and
/// reserve lost on the chain is exactly the face value the orchestrators say they redeemed.
/// </summary>
[Collection(ChainNetwork.Name)]
public sealed class ChainNetworkTests(ChainNetworkFixture network)
{
    private const string ImageModel = "SG161222/RealVisXL_V4.0_Lightning";

    [Fact]
    public async Task Paid_jobs_on_the_chain_reconcile_the_gateways_deposit_with_the_redeemed_face_values()
    {
        network.Network.ResourceNames.ShouldContain("chain");
        var gateway = EthAccount.LoadOrCreate(network.GatewayDataDir);
        // The AppHost hands every service this connection: the contracts' addresses follow from the deployer's nonces.
        var connection = ChainDeployer.PredictConnection(new Uri(network.Network.UrlOf("chain")!), EthAccount.FromHex(DevChain.DeployerKey));
        var chain = new ChainLedger(connection, gateway);
        var before = await chain.GetSenderAsync(gateway.Address);
        before.Deposit.ShouldBe(new BigInteger(1_000_000_000_000), "the AppHost funded the gateway on the chain");

        var fees = new ConcurrentBag<BigInteger>();
        using var client = network.CreateClient();
        await Parallel.ForEachAsync(Enumerable.Range(0, 16), new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (i, ct) =>
        {
            using var response = await client.PostAsync("/text-to-image", Json($$"""{"model_id":"{{ImageModel}}","prompt":"a paid picture {{i}}"}"""), ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
            fees.Add(BigInteger.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), CultureInfo.InvariantCulture));
        });
        fees.ShouldAllBe(f => f > 0);

        // Winners are redeemed once their params expire (40 blocks of 250 ms), each by a transaction.
        var redeemed = BigInteger.Zero;
        var tickets = 0L;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            redeemed = BigInteger.Zero;
            tickets = 0;
            var pending = 0;
            foreach (var url in network.OrchestratorUrls.Values)
            {
                using var orchestrator = network.CreateClient(url);
                using var status = JsonDocument.Parse(await orchestrator.GetStringAsync("/status"));
                var payments = status.RootElement.GetProperty("payments");
                pending += payments.GetProperty("pendingRedemptions").GetInt32();
                tickets += payments.GetProperty("ticketsRedeemed").GetInt64();
                redeemed += BigInteger.Parse(payments.GetProperty("redeemedFaceValueWei").GetString()!, CultureInfo.InvariantCulture);
            }

            if (pending == 0 || deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                break;
            }

            await Task.Delay(500);
        }

        var after = await chain.GetSenderAsync(gateway.Address);
        tickets.ShouldBeGreaterThan(0, "about one ticket in four wins");
        (before.Deposit + before.Reserve - after.Deposit - after.Reserve).ShouldBe(redeemed);
    }
}
