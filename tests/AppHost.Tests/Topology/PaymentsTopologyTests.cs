using System.Numerics;
using LivepeerAspire.AppHost.Resources;
using LivepeerAspire.AppHost.Tests.Support;
using LivepeerAspire.AppHost.Topology;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using Microsoft.Data.Sqlite;

namespace LivepeerAspire.AppHost.Tests.Topology;

public sealed class PaymentsTopologyTests : IDisposable
{
    private const string File = "payments-test.json";
    private readonly string runDir = Directory.CreateTempSubdirectory("compose-paid-").FullName;

    private static string Root => TestApps.RepositoryRoot;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(runDir, recursive: true);
    }

    /// <summary>A literal environment value the composition gave the resource (callbacks run as at start, without DCP).</summary>
    private static async Task<string> Env(IResource r, string key)
    {
        var env = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), r, env);
        foreach (var callback in r.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return env.TryGetValue(key, out var value) && value is string text ? text : throw new KeyNotFoundException($"{r.Name} has no literal {key}");
    }

    [Fact]
    public async Task A_paid_topology_creates_the_ledger_registers_every_orchestrator_with_its_stake_and_funds_the_gateway_before_start()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = [], DisableDashboard = true });
        var spec = TopologyReader.Load(Path.Combine(Root, "tests/Network.Tests/topologies/payments.json"));
        builder.AddTopology(spec, runDir, 0);

        var gateway = builder.Resources.Single(r => r.Name == "gateway");
        var o1 = builder.Resources.Single(r => r.Name == "orchestrator-o1");
        var connection = await Env(gateway, "ConnectionStrings__ledger");
        (await Env(o1, "ConnectionStrings__ledger")).ShouldBe(connection);
        (await Env(o1, "TicketIssuer__TicketEV")).ShouldBe("1000000000");
        (await Env(o1, "TicketIssuer__MaxFaceValue")).ShouldBe("4000000000");
        (await Env(gateway, "Discovery__Source")).ShouldBe("ledger");

        var ledger = SqliteLedger.Open(connection);
        ledger.Parameters.BlockTime.ShouldBe(TimeSpan.FromMilliseconds(250));
        var active = await ledger.GetActiveOrchestratorsAsync();
        foreach (var (name, stake) in new[] { ("o1", 3000), ("o2", 2000), ("o3", 1000) })
        {
            var resource = builder.Resources.Single(r => r.Name == $"orchestrator-{name}");
            var key = EthAccount.LoadOrCreate(await Env(resource, "Orchestrator__DataDir"));
            var record = active.Single(a => a.Address == key.Address);
            record.ServiceUri.ShouldBe($"https://127.0.0.1:{resource.Annotations.OfType<EndpointAnnotation>().Single().Port}");
            record.Stake.ShouldBe(BigInteger.Pow(10, 18) * stake);
        }

        var gatewayKey = EthAccount.LoadOrCreate(await Env(gateway, "Payments__DataDir"));
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
    [InlineData("\"payments\": { \"ledger\": \"mainnet\" }", "$.payments.ledger")]
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
