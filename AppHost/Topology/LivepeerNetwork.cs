using LivepeerAspire.AppHost.Hosting;

namespace LivepeerAspire.AppHost.Topology;

public sealed record LivepeerNetworkOptions
{
    public required string TopologyFile { get; init; }

    /// <summary>0 (default) = any free port, so tests never clash with a running AppHost.</summary>
    public int GatewayPort { get; init; }

    /// <summary>0 (default) = any free port; null = no dashboard.</summary>
    public int? DashboardPort { get; init; } = 0;

    /// <summary>Where fleet.json, aiModels.json, data and ledger go; a fresh temporary folder when null (deleted on dispose).</summary>
    public string? RunDirectory { get; init; }

    public TimeSpan HealthyTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public TextWriter? Output { get; init; }

    public bool EchoChildOutput { get; init; }
}

/// <summary>
/// A whole network started in-process from a topology (for tests and load tests): waits until every resource
/// is healthy and exposes the URLs; disposing it stops every child process, also when start-up failed.
/// </summary>
public sealed class LivepeerNetwork : IAsyncDisposable
{
    private readonly bool _ownsRunDirectory;

    private LivepeerNetwork(DistributedApplication app, ComposedTopology composed, bool ownsRunDirectory)
    {
        App = app;
        Composed = composed;
        _ownsRunDirectory = ownsRunDirectory;
    }

    public DistributedApplication App { get; }

    public ComposedTopology Composed { get; }

    public string RunDirectory => Composed.RunDirectory;

    public string GatewayUrl => App.GetInstance("gateway").Url!;

    public string? SimulatorUrl => Composed.Network.SimulatorResource is { } s ? App.GetInstance(s).Url : null;

    public string? DashboardUrl => App.DashboardUrl;

    /// <summary>Orchestrator name (as in the topology, replicas expanded) → its URL (also its service URI).</summary>
    public IReadOnlyDictionary<string, string> OrchestratorUrls =>
        Composed.Network.Orchestrators.ToDictionary(o => o.Name, o => App.GetInstance(o.ResourceName).Url!);

    public TimeSpan TimeToHealthy { get; private set; }

    public static async Task<LivepeerNetwork> StartAsync(LivepeerNetworkOptions options, CancellationToken ct = default)
    {
        var ownsRunDirectory = options.RunDirectory is null;
        var runDirectory = options.RunDirectory ?? Path.Combine(Path.GetTempPath(), "livepeer-aspire", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}"[..32]);
        var builder = DistributedApplication.CreateBuilder(
            new DistributedApplicationOptions
            {
                DashboardPort = options.DashboardPort,
                Output = options.Output ?? TextWriter.Null,
                EchoChildOutput = options.EchoChildOutput,
            },
            new AppHostArguments
            {
                TopologyFile = options.TopologyFile,
                GatewayPort = options.GatewayPort,
                DashboardPort = options.DashboardPort,
                NoDashboard = options.DashboardPort is null,
                RunDirectory = runDirectory,
            });
        var composed = await builder.AddTopologyFileAsync(options.TopologyFile, ct);
        var app = builder.Build();
        var network = new LivepeerNetwork(app, composed, ownsRunDirectory);
        try
        {
            await app.StartAsync(ct);
            network.TimeToHealthy = await app.WaitForAllHealthyAsync(options.HealthyTimeout, ct);
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (_ownsRunDirectory)
        {
            try
            {
                Directory.Delete(RunDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
