using LivepeerAspire.Gateway.Discovery;
using Microsoft.Extensions.Configuration;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Sessions;

public sealed class DiscoveryTests
{
    /// <summary>Answers after a per-URL delay (real time; the bounds below are generous).</summary>
    private sealed class SlowClient(Dictionary<string, TimeSpan> delays) : IOrchestratorInfoClient, IOrchestratorSource
    {
        public string Name => "slow";

        public ValueTask<IReadOnlyList<Uri>> GetOrchestratorUrlsAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<Uri>>(delays.Keys.Select(k => new Uri(k)).ToList());

        public async Task<DiscoveredOrchestrator> GetOrchestratorAsync(Uri orchestrator, Capabilities? capabilities, CancellationToken cancellationToken)
        {
            var delay = delays[orchestrator.ToString()];
            await Task.Delay(delay, cancellationToken);
            return new DiscoveredOrchestrator(orchestrator, TestSessions.Info(orchestrator.ToString(), PipelineCatalog.Llm, "m"), delay);
        }
    }

    private static OrchestratorDiscovery Discovery(SlowClient client, TimeSpan timeout, TimeSpan cutoff) =>
        new([client], client, TimeProvider.System, Options.Create(new DiscoveryOptions { Timeout = timeout, Cutoff = cutoff }), NullLogger<OrchestratorDiscovery>.Instance);

    [Fact]
    public async Task Stops_at_the_first_wait_once_someone_answered()
    {
        var client = new SlowClient(new() { ["http://fast:1/"] = TimeSpan.Zero, ["http://slow:1/"] = TimeSpan.FromSeconds(20) });
        var found = await Discovery(client, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30)).DiscoverAsync(null, null, CancellationToken.None);
        found.Select(f => f.Key).ShouldBe(["http://fast:1"]);
    }

    [Fact]
    public async Task Keeps_waiting_with_doubled_timeouts_while_nobody_answered()
    {
        var client = new SlowClient(new() { ["http://late:1/"] = TimeSpan.FromMilliseconds(700) });
        var found = await Discovery(client, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)).DiscoverAsync(null, null, CancellationToken.None);
        found.Select(f => f.Key).ShouldBe(["http://late:1"]);
    }

    [Fact]
    public async Task Gives_up_at_the_cutoff()
    {
        var client = new SlowClient(new() { ["http://never:1/"] = TimeSpan.FromSeconds(30) });
        var found = await Discovery(client, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300)).DiscoverAsync(null, null, CancellationToken.None);
        found.ShouldBeEmpty();
    }

    [Fact]
    public async Task Sorts_by_latency_and_puts_suspended_orchestrators_last()
    {
        var client = new SlowClient(new() { ["http://a:1/"] = TimeSpan.FromMilliseconds(150), ["http://b:1/"] = TimeSpan.FromMilliseconds(10), ["http://c:1/"] = TimeSpan.FromMilliseconds(80) });
        var discovery = Discovery(client, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
        var found = await discovery.DiscoverAsync(null, null, CancellationToken.None, waitForAll: true);
        found.Select(f => f.Key).ShouldBe(["http://b:1", "http://c:1", "http://a:1"]);

        var withSuspension = await discovery.DiscoverAsync(null, key => key == "http://b:1" ? 5 : 0, CancellationToken.None, waitForAll: true);
        withSuspension.Select(f => f.Key).ShouldBe(["http://c:1", "http://a:1", "http://b:1"]);
    }

    [Fact]
    public void Orchestrator_addresses_come_from_orchaddr_and_aspire_references()
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:orchestrator-1:http:0"] = "http://127.0.0.1:8936",
            ["services:orchestrator-2:http:0"] = "http://127.0.0.1:8935/",
            ["services:ledger:http:0"] = "http://127.0.0.1:9999",
        }).Build();
        var urls = ConfiguredOrchestratorSource.Read(new DiscoveryOptions { OrchAddr = "http://127.0.0.1:8935, http://10.0.0.2:8935" }, config);
        urls.Select(OrchestratorKey.Of).ShouldBe(["http://127.0.0.1:8935", "http://10.0.0.2:8935", "http://127.0.0.1:8936"]);
    }

    [Fact]
    public void An_orchestrator_reference_with_an_https_endpoint_is_called_there_where_it_serves_grpc()
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:orchestrator-1:http:0"] = "http://127.0.0.1:8936",
            ["services:orchestrator-1:https:0"] = "https://127.0.0.1:8946",
            ["services:orchestrator-2:https:0"] = "https://127.0.0.1:8947",
            ["services:orchestrator-3:http:0"] = "http://127.0.0.1:8938",
        }).Build();

        var urls = ConfiguredOrchestratorSource.Read(new DiscoveryOptions(), config);

        urls.Select(OrchestratorKey.Of).ShouldBe(["https://127.0.0.1:8946", "https://127.0.0.1:8947", "http://127.0.0.1:8938"]);
    }
}
