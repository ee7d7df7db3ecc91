using LivepeerAspire.Gateway.Sessions;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// go-livepeer's ProbabilitySelectionAlgorithm over the idle sessions ordered by latency score (never-used first),
/// falling back to a random busy session when none is idle (AISessionPool.selectInUse). Weights: stake, price
/// (exp(-price/PriceExpFactor)) and uniform random. Perf filter as -minPerfScore. The max-price filter is applied
/// before any strategy runs.
/// Deliberate deviation: when the stake sum (or the price-weight sum) is 0, that term is uniform (1/n) instead of
/// go-livepeer's 1 per orchestrator, so the probabilities still sum to 1 and the distribution is well defined
/// (go-livepeer's depends on map iteration order). Zero total stake is the normal off-chain case.
/// </summary>
public sealed class StakePriceLatencyStrategy : ISelectionStrategy
{
    public const string StrategyName = "stake-price-latency";

    public string Name => StrategyName;

    public SelectionResult Select(IReadOnlyList<AiSession> candidates, SelectionContext context)
    {
        var idle = candidates.Where(c => c.InFlight == 0)
            .OrderBy(c => c.LatencyScore)
            .ThenBy(c => c.InitialLatency)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .ToList();
        if (idle.Count == 0)
        {
            return SelectionResult.Of(candidates[context.Random.Next(candidates.Count)]);
        }

        var options = context.Options;
        if (options.MinPerfScore > 0 && options.PerfScores.Count > 0)
        {
            var passing = idle.Where(s => PerfScore(options, s) >= options.MinPerfScore).ToList();
            if (passing.Count > 0)
            {
                idle = passing;
            }
        }

        var probabilities = Probabilities(
            idle.Select(s => (double)context.Stakes.StakeOf(s)).ToArray(),
            idle.Select(PriceMath.Of).ToArray(),
            options);
        var r = context.Random.NextDouble();
        var cumulative = 0.0;
        for (var i = 0; i < idle.Count; i++)
        {
            cumulative += probabilities[i];
            if (cumulative >= r)
            {
                return SelectionResult.Of(idle[i]);
            }
        }

        return SelectionResult.Of(idle[^1]);
    }

    /// <summary>prob = PriceWeight·priceProb + StakeWeight·stakeProb + RandWeight/n, with the zero-sum rule above.</summary>
    public static double[] Probabilities(double[] stakes, double[] prices, SelectionOptions options)
    {
        var n = stakes.Length;
        var stakeSum = stakes.Sum();
        var priceNorm = prices.Select(p => Math.Exp(-p / options.PriceExpFactor)).ToArray();
        var priceSum = priceNorm.Sum();
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            var stakeProb = stakeSum > 0 ? stakes[i] / stakeSum : 1.0 / n;
            var priceProb = priceSum > 0 ? priceNorm[i] / priceSum : 1.0 / n;
            result[i] = (options.PriceWeight * priceProb) + (options.StakeWeight * stakeProb) + (options.RandWeight / n);
        }

        return result;
    }

    private static double PerfScore(SelectionOptions options, AiSession session) =>
        options.PerfScores.TryGetValue(session.Key, out var byUrl) ? byUrl
        : options.PerfScores.TryGetValue(session.Address, out var byAddress) ? byAddress
        : 0;
}
