using System.Globalization;
using LivepeerAspire.Gateway.Sessions;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// Ours. Expected completion time on an orchestrator = (in-flight work + this job's work) × its EWMA
/// seconds per unit (a shortest-expected-delay rule that knows each orchestrator's speed). Orchestrators with no
/// measurement get up to Adaptive:ExplorationJobs jobs to learn them; candidates that cannot finish within the
/// time left are skipped; with a cost budget, candidates priced above budget × the cheapest are skipped.
/// Mode <c>rank</c> takes the lowest expected completion; <c>power-of-two</c> samples two candidates in proportion
/// to measured speed and takes the better (DESIGN.md: uniform sampling is unstable on a heterogeneous fleet).
/// </summary>
public sealed class AdaptiveStrategy : ISelectionStrategy
{
    public const string StrategyName = "adaptive";

    public string Name => StrategyName;

    public SelectionResult Select(IReadOnlyList<AiSession> candidates, SelectionContext context)
    {
        var options = context.Options.Adaptive;
        var pool = candidates.ToList();
        if (options.CostBudget > 0)
        {
            var cheapest = pool.Min(PriceMath.Of);
            pool = pool.Where(c => PriceMath.Of(c) <= (cheapest * options.CostBudget) + 1e-12).ToList();
        }

        var speeds = pool.Select(c => context.Speeds.Get(c.Key, context.Pipeline.Name, context.ModelId)).ToList();
        var unknown = pool.Where((c, i) => speeds[i] is not { Samples: > 0 })
            .OrderBy(c => c.InFlight)
            .ThenBy(c => c.InitialLatency)
            .ToList();
        foreach (var candidate in unknown)
        {
            if (context.Speeds.TryExplore(candidate.Key, context.Pipeline.Name, context.ModelId, options.ExplorationJobs))
            {
                return SelectionResult.Of(candidate);
            }
        }

        foreach (var candidate in pool.Where((c, i) => speeds[i] is { Samples: > 0 } && c.InFlight == 0))
        {
            if (context.Speeds.TryReprobe(candidate.Key, context.Pipeline.Name, context.ModelId, options.ReprobeAfter))
            {
                return SelectionResult.Of(candidate);
            }
        }

        var known = pool.Select((c, i) => (Session: c, Speed: speeds[i]))
            .Where(x => x.Speed is { Samples: > 0 })
            .Select(x => (x.Session, SecondsPerUnit: x.Speed!.SecondsPerUnit, Expected: Expected(x.Session, x.Speed.SecondsPerUnit, context.Work)))
            .ToList();
        if (known.Count == 0)
        {
            // Every candidate is unknown and has used its exploration budget without a result: least busy first.
            return SelectionResult.Of(unknown.First());
        }

        var inTime = known.Where(k => k.Expected <= context.Remaining.TotalSeconds).ToList();
        if (inTime.Count == 0)
        {
            var best = known.Min(k => k.Expected);
            return SelectionResult.None(string.Create(CultureInfo.InvariantCulture,
                $"no orchestrator can finish within the deadline: best expected completion {best:0.###} s, {context.Remaining.TotalSeconds:0.###} s left"));
        }

        if (options.Mode == "power-of-two" && inTime.Count > 2)
        {
            var a = SampleBySpeed(inTime, context.Random, -1);
            var b = SampleBySpeed(inTime, context.Random, a);
            return SelectionResult.Of(inTime[a].Expected <= inTime[b].Expected ? inTime[a].Session : inTime[b].Session);
        }

        return SelectionResult.Of(inTime.OrderBy(k => k.Expected).ThenBy(k => k.Session.InFlight).First().Session);
    }

    /// <summary>Seconds until a job of <paramref name="work"/> units would finish there.</summary>
    /// <remarks>
    /// Work already in flight counts in full, not divided by the advertised capacity: capacity is how many jobs an
    /// orchestrator admits, not how many its GPU runs at once (a GPU serving one video at a time admits 4 and queues 3),
    /// and the EWMA is measured end to end, so it already reflects whatever parallelism the orchestrator has. Dividing
    /// by capacity made a busy fast orchestrator look almost free and herded jobs into its queue while others idled
    /// (docs/reports/selection, first run: 2 of 4 usable orchestrators used at 30 % load).
    /// </remarks>
    public static double Expected(AiSession session, double secondsPerUnit, double work) =>
        (session.InFlightWork + work) * secondsPerUnit;

    private static int SampleBySpeed(List<(AiSession Session, double SecondsPerUnit, double Expected)> items, Random random, int exclude)
    {
        var weights = items.Select((x, i) => i == exclude ? 0 : 1 / Math.Max(x.SecondsPerUnit, 1e-15)).ToArray();
        var total = weights.Sum();
        var r = random.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            r -= weights[i];
            if (r <= 0 && weights[i] > 0)
            {
                return i;
            }
        }

        return Array.FindLastIndex(weights, w => w > 0);
    }
}
