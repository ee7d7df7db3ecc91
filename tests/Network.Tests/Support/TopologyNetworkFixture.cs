using LivepeerAspire.Network.Tests.Infrastructure;
using LivepeerAspire.Networks;

namespace LivepeerAspire.Network.Tests.Support;

/// <summary>
/// A real network started through the AppHost (Aspire.Hosting.Testing) from one of
/// <c>tests/Network.Tests/topologies/*.json</c> and shared by a test collection; DCP and every process it started are
/// stopped on dispose, also when start-up failed.
/// </summary>
public abstract class TopologyNetworkFixture(string topologyFileName) : IAsyncLifetime
{
    private LivepeerNetwork? _network;

    public LivepeerNetwork Network => _network ?? throw new InvalidOperationException("The network has not started.");

    public string GatewayUrl => Network.GatewayUrl;

    public string SimulatorUrl => Network.SimulatorUrl ?? throw new InvalidOperationException("This topology has no simulator.");

    /// <summary>Orchestrator name (o1, o2, …) → URL.</summary>
    public IReadOnlyDictionary<string, string> OrchestratorUrls => Network.OrchestratorUrls;

    /// <summary>A client for the gateway or any service; orchestrators serve https with a self-signed certificate, accepted here.</summary>
    public HttpClient CreateClient(string? baseUrl = null) => new(new SocketsHttpHandler { UseProxy = false, SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
    {
        BaseAddress = new Uri(baseUrl ?? GatewayUrl),
        Timeout = TimeSpan.FromSeconds(90),
    };

    /// <summary>The topology name (o1, o2, …) of the orchestrator whose service URI a gateway reported.</summary>
    public string OrchestratorName(string serviceUri) =>
        OrchestratorUrls.Single(o => Same(o.Value, serviceUri)).Key;

    /// <summary>The configuration these tests were built in; the services were built alongside in the same one.</summary>
    public static string BuildConfiguration =>
        typeof(TopologyNetworkFixture).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LivepeerAspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LivepeerAspire.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Resources this collection's topology is meant to fail; the network is ready without them.</summary>
    protected virtual IReadOnlySet<string> ExpectedFailures { get; } = new HashSet<string>();

    /// <summary>Anything the topology needs before the AppHost starts (a locally built image).</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    /// <summary>Removes what DCP may leave behind when a start fails (containers); runs after the network is stopped.</summary>
    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await PrepareAsync();
        try
        {
            _network = await LivepeerNetwork.StartAsync(new LivepeerNetworkOptions
            {
                TopologyFile = NetworkFixture.TopologyPath(topologyFileName),
                HealthyTimeout = TimeSpan.FromMinutes(4),
                ExpectedFailures = ExpectedFailures,
            });
        }
        catch
        {
            await CleanUpAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_network is not null)
            {
                await _network.DisposeAsync();
            }
        }
        finally
        {
            await CleanUpAsync();
        }
    }

    private static bool Same(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
