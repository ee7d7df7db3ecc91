using System.Numerics;
using LivepeerAspire.AppHost.Hosting;
using LivepeerAspire.AppHost.Topology;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using Microsoft.Data.Sqlite;

namespace LivepeerAspire.AppHost.Tests.Topology;

public sealed class PaymentsTopologyTests : IDisposable
{
    private const string File = "payments-test.json";
    private readonly string runDir = Directory.CreateTempSubdirectory("compose-paid-").FullName;

    private static string Root => DistributedApplicationOptions.FindRepositoryRoot();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(runDir, recursive: true);
    }

    private static string Env(Resource r, string key) =>
        r.Environment.LastOrDefault(e => e.Key == key).Value?.Invoke() ?? throw new KeyNotFoundException($"{r.Name} has no {key}");

    [Fact]
    public async Task A_paid_topology_creates_the_ledger_registers_every_orchestrator_with_its_stake_and_funds_the_gateway_before_start()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DashboardPort = null });
        var spec = TopologyReader.Load(Path.Combine(Root, "tests/Network.Tests/topologies/payments.json"));
        builder.AddTopology(spec, runDir, 0);

        var gateway = builder.Resources.Single(r => r.Name == "gateway");
        var o1 = builder.Resources.Single(r => r.Name == "orchestrator-o1");
        var connection = Env(gateway, "ConnectionStrings__ledger");
        Env(o1, "ConnectionStrings__ledger").ShouldBe(connection);
        Env(o1, "TicketIssuer__TicketEV").ShouldBe("1000000000");
        Env(o1, "TicketIssuer__MaxFaceValue").ShouldBe("4000000000");
        Env(gateway, "Discovery__Source").ShouldBe("ledger");

        var ledger = SqliteLedger.Open(connection);
        ledger.Parameters.BlockTime.ShouldBe(TimeSpan.FromMilliseconds(250));
        var active = await ledger.GetActiveOrchestratorsAsync();
        foreach (var (name, stake) in new[] { ("o1", 3000), ("o2", 2000), ("o3", 1000) })
        {
            var resource = builder.Resources.Single(r => r.Name == $"orchestrator-{name}");
            var key = EthAccount.LoadOrCreate(Env(resource, "Orchestrator__DataDir"));
            var record = active.Single(a => a.Address == key.Address);
            record.ServiceUri.ShouldBe(resource.Url());
            record.Stake.ShouldBe(BigInteger.Pow(10, 18) * stake);
        }

        var gatewayKey = EthAccount.LoadOrCreate(Env(gateway, "Payments__DataDir"));
        var funds = await ledger.GetSenderAsync(gatewayKey.Address);
        funds.Deposit.ShouldBe(new BigInteger(1_000_000_000_000));
        funds.Reserve.ShouldBe(new BigInteger(1_000_000_000_000));
    }

    [Theory]
    [InlineData("\"payments\": 3", "$.payments")]
    [InlineData("\"payments\": { \"deposit\": -1 }", "$.payments.deposit")]
    [InlineData("\"payments\": { \"blockTime\": \"soon\" }", "$.payments.blockTime")]
    [InlineData("\"payments\": { \"discovery\": \"dns\" }", "$.payments.discovery")]
    [InlineData("\"payments\": { \"tickets\": 1 }", "$.payments.tickets")]
    public void Bad_payment_settings_are_refused_with_their_path(string member, string path)
    {
        var json = $$"""{ {{member}}, "orchestrators": [ { "name": "o1", "gpus": [ { "profile": "RTX 4090", "pipeline": "llm", "model": "m" } ] } ] }""";

        var error = Should.Throw<TopologyException>(() => TopologyReader.Parse(json, File));

        error.JsonPath.ShouldBe(path);
    }

    [Fact]
    public void Without_payments_a_topology_stays_off_chain()
    {
        TopologyReader.Parse("""{ "orchestrators": [ { "name": "o1", "gpus": [ { "profile": "RTX 4090", "pipeline": "llm", "model": "m" } ] } ] }""", File).Payments.ShouldBeNull();
        TopologyReader.Parse("""{ "payments": false, "orchestrators": [ { "name": "o1", "gpus": [ { "profile": "RTX 4090", "pipeline": "llm", "model": "m" } ] } ] }""", File).Payments.ShouldBeNull();
        TopologyReader.Parse("""{ "payments": true, "orchestrators": [ { "name": "o1", "gpus": [ { "profile": "RTX 4090", "pipeline": "llm", "model": "m" } ] } ] }""", File).Payments!.BlockTime
            .ShouldBe(TimeSpan.FromMilliseconds(250));
    }
}
