using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Running;

/// <summary>Everything that defines one run; experiments build several of these.</summary>
public sealed record RunSpec
{
    public required string Label { get; init; }
    public required Scenario Scenario { get; init; }
    public required LoadSimulation Simulation { get; init; }
    public TimeSpan WarmUp { get; init; }
    public int Seed { get; init; } = 42;
    public int MaxRequests { get; init; } = 10_000;
    public required RunOptions Options { get; init; }
    public Slo Slo { get; init; } = Slo.None;
    public IReadOnlyDictionary<string, string> Models { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Service URI (without a trailing slash) → the name reports use for it ("o1 · RTX 4090"); URIs not listed are reported as they are.</summary>
    public IReadOnlyDictionary<string, string> OrchestratorNames { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra request headers on every job, e.g. <c>Livepeer-Deadline-Ms</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
