using LivepeerAspire.Networks;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>A network an experiment started; disposing it stops every process of it.</summary>
public interface IStartedNetwork : IAsyncDisposable
{
    Uri Gateway { get; }

    Uri? Simulator { get; }

    /// <summary>The Aspire network behind it, for process faults and the run directory (ledger, keys); null for stand-ins.</summary>
    LivepeerNetwork? Aspire => null;
}

/// <summary>Starts a network from a topology file. Experiments use the AppHost's; tests swap in a stand-in.</summary>
public interface INetworkLauncher
{
    Task<IStartedNetwork> StartAsync(string topologyFile, TimeSpan startupTimeout, TextWriter progress, CancellationToken cancel);
}

/// <summary>
/// The real thing: the AppHost composition started through Aspire (<see cref="LivepeerNetwork"/>), the same DCP and
/// resources as <c>dotnet run --project AppHost</c>. A network that does not come up is a failed experiment (exit 4)
/// naming the resource and its state.
/// </summary>
internal sealed class AspireNetworkLauncher : INetworkLauncher
{
    public async Task<IStartedNetwork> StartAsync(string topologyFile, TimeSpan startupTimeout, TextWriter progress, CancellationToken cancel)
    {
        LivepeerNetwork network;
        try
        {
            network = await LivepeerNetwork.StartAsync(new LivepeerNetworkOptions { TopologyFile = topologyFile, HealthyTimeout = startupTimeout }, cancel);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or AppHost.Topology.TopologyException)
        {
            throw new UsageException($"the network of {topologyFile} did not start: {e.Message}", 4);
        }

        await progress.WriteLineAsync($"network: gateway {network.GatewayUrl}, all healthy in {network.TimeToHealthy.TotalSeconds:0.0} s");
        return new Started(network);
    }

    private sealed class Started(LivepeerNetwork network) : IStartedNetwork
    {
        public Uri Gateway { get; } = new(network.GatewayUrl + "/");

        public Uri? Simulator { get; } = network.SimulatorUrl is { } s ? new Uri(s + "/") : null;

        public LivepeerNetwork? Aspire => network;

        public ValueTask DisposeAsync() => network.DisposeAsync();
    }
}
