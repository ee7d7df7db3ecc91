using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// Picks one orchestrator session among candidates, like a YARP load-balancing policy: <see cref="Name"/> is the
/// configuration value. Candidates are already filtered (same pool, not suspended, not tried by this request,
/// within the max price) and are never empty.
/// </summary>
public interface ISelectionStrategy
{
    string Name { get; }

    SelectionResult Select(IReadOnlyList<AiSession> candidates, SelectionContext context);
}

/// <summary>What the job needs: its pipeline/model, its work units (see ComputeUnits) and the time left.</summary>
public sealed record SelectionContext(
    Pipeline Pipeline,
    string ModelId,
    double Work,
    TimeSpan Remaining,
    SelectionOptions Options,
    Random Random,
    SpeedTracker Speeds,
    IStakeReader Stakes)
{
    public PipelineModel Target => new(Pipeline, ModelId);

    /// <summary>The whole pool the candidates come from, including ones cooling down or already tried by this request.</summary>
    public IReadOnlyList<AiSession>? Pool { get; init; }
}

/// <summary>The chosen session, or null with the reason none fits (surfaces in the 503 message).</summary>
public sealed record SelectionResult(AiSession? Session, string? Reason = null)
{
    public static SelectionResult Of(AiSession session) => new(session);

    public static SelectionResult None(string reason) => new(null, reason);
}

public static class StrategyNames
{
    public static IReadOnlyList<string> All { get; } =
        [RoundRobinStrategy.StrategyName, StakePriceLatencyStrategy.StrategyName, AdaptiveStrategy.StrategyName];
}

/// <summary>Price as a double for weighting (wei per unit); unpriced counts as 0.</summary>
internal static class PriceMath
{
    public static double Of(AiSession session) => session.PricePerUnit is BigRational p ? p.ToDouble() : 0;
}
