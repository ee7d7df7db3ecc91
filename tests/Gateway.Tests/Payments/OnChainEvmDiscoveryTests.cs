using System.Numerics;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Ledger.Chain;

namespace LivepeerAspire.Gateway.Tests.Payments;

/// <summary>
/// The gateway service given a chain connection string and Discovery:Source=ledger: its ledger is the chain, its
/// orchestrators are the registry's service URIs, its stakes the registry's, and it sees the deposit it funded.
/// </summary>
public sealed class OnChainEvmDiscoveryTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("gw-evm-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Discovery_and_stakes_come_from_the_chain_registry()
    {
        await using var chain = await DevChain.StartAsync(TimeSpan.Zero);
        var connection = await ChainDeployer.PrepareFromDataDirsAsync(chain.Endpoint, new ChainParameters(),
        [
            (Path.Combine(dir, "o1"), "https://127.0.0.1:8935", BigInteger.Pow(10, 18) * 3),
            (Path.Combine(dir, "o2"), "https://127.0.0.1:8936", BigInteger.Pow(10, 18) / 2),
        ], Path.Combine(dir, "gateway"), 5_000_000, 7_000_000);

        await using var host = await GatewayHost.StartAsync([], new Dictionary<string, string?>
        {
            ["ConnectionStrings:ledger"] = connection.ToString(),
            ["Payments:DataDir"] = Path.Combine(dir, "gateway"),
            ["Discovery:Source"] = "ledger",
        });

        var ledger = host.Get<ILedger>().ShouldBeOfType<ChainLedger>();
        var gateway = EthAccount.LoadOrCreate(Path.Combine(dir, "gateway"));
        ledger.Signer.ShouldBe(gateway.Address);
        (await ledger.GetSenderAsync(gateway.Address)).ShouldBe(new SenderInfo(5_000_000, 7_000_000, 0));
        var source = host.Get<IEnumerable<IOrchestratorSource>>().Single();
        source.Name.ShouldBe("ledger");
        (await source.GetOrchestratorUrlsAsync(default)).Select(u => u.ToString()).Order()
            .ShouldBe(["https://127.0.0.1:8935/", "https://127.0.0.1:8936/"]);
        var registry = host.Get<LedgerRegistry>();
        registry.StakeOf(EthAccount.LoadOrCreate(Path.Combine(dir, "o1")).Address.ToLowerHex()).ShouldBe(3m);
        registry.StakeOf(EthAccount.LoadOrCreate(Path.Combine(dir, "o2")).Address.ToLowerHex()).ShouldBe(0.5m);
    }
}
