using System.Diagnostics.CodeAnalysis;
using LivepeerAspire.Runner.Simulated.Fleet;
using LivepeerAspire.Runner.Simulated.Timing;

namespace LivepeerAspire.Runner.Simulated.Gpus;

/// <summary>The running fleet: every configured GPU, sharing one simulated clock.</summary>
public sealed class SimulatedFleet
{
    private readonly Dictionary<string, SimulatedGpu> byId;

    public SimulatedFleet(FleetConfig config, TimeProvider time)
    {
        Config = config;
        Clock = new SimClock(time, config.TimeScale);
        Gpus = config.Gpus.Select(g => new SimulatedGpu(g, Clock, config.Profiles.File, config.Seed)).ToList();
        byId = Gpus.ToDictionary(g => g.Id, StringComparer.Ordinal);
    }

    public FleetConfig Config { get; }

    public SimClock Clock { get; }

    public IReadOnlyList<SimulatedGpu> Gpus { get; }

    public bool TryGet(string id, [NotNullWhen(true)] out SimulatedGpu? gpu) => byId.TryGetValue(id, out gpu);
}
