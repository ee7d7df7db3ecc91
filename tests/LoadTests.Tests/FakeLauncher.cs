using LivepeerAspire.LoadTests.Experiments;

namespace LivepeerAspire.LoadTests.Tests;

/// <summary>
/// Stands in for the AppHost in experiment tests: "starts" a network by handing back a running stand-in gateway,
/// and records every topology it was given and every network stopped.
/// </summary>
internal sealed class FakeLauncher(Uri gateway, Uri? simulator = null) : INetworkLauncher
{
    private readonly List<string> topologies = [];
    private int stopped;

    public IReadOnlyList<string> Topologies
    {
        get
        {
            lock (topologies)
            {
                return [.. topologies];
            }
        }
    }

    public int Stopped => Volatile.Read(ref stopped);

    public async Task<IStartedNetwork> StartAsync(string topologyFile, TimeSpan startupTimeout, TextWriter progress, CancellationToken cancel)
    {
        var text = await File.ReadAllTextAsync(topologyFile, cancel);
        lock (topologies)
        {
            topologies.Add(text);
        }

        await progress.WriteLineAsync($"network: gateway {gateway}");
        return new Started(this, gateway, simulator);
    }

    private sealed class Started(FakeLauncher owner, Uri gateway, Uri? simulator) : IStartedNetwork
    {
        public Uri Gateway { get; } = gateway;

        public Uri? Simulator { get; } = simulator;

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref owner.stopped);
            return ValueTask.CompletedTask;
        }
    }
}
