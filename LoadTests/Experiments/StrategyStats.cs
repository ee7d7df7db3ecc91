using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>One strategy's figures at one load: of a single run, or pooled over several seeds' runs.</summary>
public sealed record StrategyStats(string Strategy, GroupStats Stats);
