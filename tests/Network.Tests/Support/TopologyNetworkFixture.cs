using LivepeerAspire.AppHost.Topology;
using LivepeerAspire.Network.Tests.Infrastructure;

namespace LivepeerAspire.Network.Tests.Support;

/// <summary>
/// A real network started from one of <c>tests/Network.Tests/topologies/*.json</c> and shared by a test
/// collection; every child process is stopped on dispose, also when start-up failed.
/// </summary>
public abstract class TopologyNetworkFixture(string topologyFileName) : IAsyncLifetime
{
    private LivepeerNetwork? _network;

    public LivepeerNetwork Network => _network ?? throw new InvalidOperationException("The network has not started.");

    public string GatewayUrl => Network.GatewayUrl;

    public string SimulatorUrl => Network.SimulatorUrl ?? throw new InvalidOperationException("This topology has no simulator.");

    public IReadOnlyDictionary<string, string> OrchestratorUrls => Network.OrchestratorUrls;

    public HttpClient CreateClient(string? baseUrl = null) => new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = new Uri(baseUrl ?? GatewayUrl),
        Timeout = TimeSpan.FromSeconds(90),
    };

    /// <summary>The topology name (o1, o2, …) of the orchestrator whose service URI a gateway reported.</summary>
    public string OrchestratorName(string serviceUri) =>
        OrchestratorUrls.Single(o => Same(o.Value, serviceUri)).Key;

    public async Task InitializeAsync() =>
        _network = await LivepeerNetwork.StartAsync(new LivepeerNetworkOptions
        {
            TopologyFile = NetworkFixture.TopologyPath(topologyFileName),
            DashboardPort = null,
            HealthyTimeout = TimeSpan.FromMinutes(4),
        });

    public async Task DisposeAsync()
    {
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
    }

    private static bool Same(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
