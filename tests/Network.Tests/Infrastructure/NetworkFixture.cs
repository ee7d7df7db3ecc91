using LivepeerAspire.AppHost.Hosting;
using LivepeerAspire.AppHost.Topology;

namespace LivepeerAspire.Network.Tests.Infrastructure;

/// <summary>
/// One real network (separate processes for simulator, shim, orchestrators and gateway) shared by every test
/// in the <see cref="NetworkCollection"/>: started from <c>tests/Network.Tests/topologies/network-test.json</c>
/// through the AppHost's builder, on free ports, and torn down (every child killed) on dispose.
/// </summary>
public sealed class NetworkFixture : IAsyncLifetime
{
    public const string TopologyFileName = "network-test.json";

    private LivepeerNetwork? _network;

    public LivepeerNetwork Network => _network ?? throw new InvalidOperationException("The network has not started.");

    public string GatewayUrl => Network.GatewayUrl;

    public string SimulatorUrl => Network.SimulatorUrl ?? throw new InvalidOperationException("This topology has no simulator.");

    public string DashboardUrl => Network.DashboardUrl ?? throw new InvalidOperationException("The dashboard is disabled.");

    /// <summary>Orchestrator name (o1, o2, …) → URL.</summary>
    public IReadOnlyDictionary<string, string> OrchestratorUrls => Network.OrchestratorUrls;

    public DistributedApplication App => Network.App;

    public static string RepositoryRoot => DistributedApplicationOptions.FindRepositoryRoot();

    public static string TopologyPath(string fileName = TopologyFileName) =>
        Path.Combine(RepositoryRoot, "tests", "Network.Tests", "topologies", fileName);

    /// <summary>The dashboard's buttons as calls (fault injection per orchestrator, stop/start/restart).</summary>
    public DashboardClient CreateDashboardClient() => new(DashboardUrl);

    /// <summary>An HttpClient for the gateway (no proxy, generous timeout).</summary>
    public HttpClient CreateGatewayClient() => new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = new Uri(GatewayUrl),
        Timeout = TimeSpan.FromSeconds(60),
    };

    public async Task InitializeAsync()
    {
        _network = await LivepeerNetwork.StartAsync(new LivepeerNetworkOptions
        {
            TopologyFile = TopologyPath(),
            HealthyTimeout = TimeSpan.FromMinutes(3),
        });
    }

    public async Task DisposeAsync()
    {
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class NetworkCollection : ICollectionFixture<NetworkFixture>
{
    public const string Name = "Network";
}
