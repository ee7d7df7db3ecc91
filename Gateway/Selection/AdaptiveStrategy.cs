using System.Globalization;
using LivepeerAspire.Gateway.Sessions;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// Ours. Expected completion time on an orchestrator = (in-flight work + this job's work) × its EWMA
/// seconds per unit (a shortest-expected-delay rule that knows each orchestrator's speed). Orchestrators with no
/// measurement get up to Adaptive:ExplorationJobs jobs to learn them; candidates that cannot finish within the
/// time left are skipped. With a cost budget, a <see cref="SpendBudget"/> keeps the average price paid at or below
/// budget × the candidates' mean price (what spreading jobs evenly, as round-robin does, would pay): a pricier
/// orchestrator is chosen only while earlier cheaper picks have saved enough for its premium, except when only a
/// pricier one can meet the deadline.
/// Mode <c>rank</c> takes the lowest expected completion (the cheaper on a tie); <c>power-of-two</c> samples two
/// candidates in proportion to measured speed and takes the better (DESIGN.md: uniform sampling is unstable on a
/// heterogeneous fleet).
/// </summary>
public sealed class AdaptiveStrategy : ISelectionStrategy
{
    public const string StrategyName = "adaptive";

    public string Name => StrategyName;

    public SpendBudget Spend { get; } = new();

    public SelectionResult Select(IReadOnlyList<AiSession> candidates, SelectionContext context)
    {
        var options = context.Options.Adaptive;
        var pipeline = context.Pipeline.Name;
        var budgetPrice = options.CostBudget * candidates.Average(PriceMath.Of);
        var cheapest = candidates.Min(PriceMath.Of);
        bool Affordable(AiSession c) =>
            budgetPrice <= 0 || PriceMath.Of(c) <= cheapest || Spend.Affords(pipeline, context.ModelId, budgetPrice, PriceMath.Of(c), context.Work);
        SelectionResult Pick(AiSession c)
        {
            if (budgetPrice > 0)
            {
                Spend.Charge(pipeline, context.ModelId, budgetPrice, PriceMath.Of(c), context.Work);
            }

            return SelectionResult.Of(c);
        }

        var pool = candidates.Where(Affordable).ToList();
        var speeds = candidates.Select(c => context.Speeds.Get(c.Key, pipeline, context.ModelId)).ToList();
        bool Measured(AiSession c) => context.Speeds.Get(c.Key, pipeline, context.ModelId) is { Samples: > 0 };
        var unknown = pool.Where(c => !Measured(c)).OrderBy(c => c.InFlight).ThenBy(c => c.InitialLatency).ToList();
        foreach (var candidate in unknown)
        {
            if (context.Speeds.TryExplore(candidate.Key, pipeline, context.ModelId, options.ExplorationJobs))
            {
                return Pick(candidate);
            }
        }

        foreach (var candidate in pool.Where(c => Measured(c) && c.InFlight == 0))
        {
            if (context.Speeds.TryReprobe(candidate.Key, pipeline, context.ModelId, options.ReprobeAfter))
            {
                return Pick(candidate);
            }
        }

        var known = candidates.Select((c, i) => (Session: c, Speed: speeds[i]))
            .Where(x => x.Speed is { Samples: > 0 })
            .Select(x => (x.Session, SecondsPerUnit: x.Speed!.SecondsPerUnit, Expected: Expected(x.Session, x.Speed.SecondsPerUnit, context.Work)))
            .ToList();
        if (known.Count == 0)
        {
            // Every candidate is unknown and has used its exploration budget without a result: least busy first.
            return Pick(unknown.Count > 0 ? unknown[0] : candidates.OrderBy(c => c.InFlight).First());
        }

        var inTime = known.Where(k => k.Expected <= context.Remaining.TotalSeconds).ToList();
        if (inTime.Count == 0)
        {
            var best = known.Min(k => k.Expected);
            return SelectionResult.None(string.Create(CultureInfo.InvariantCulture,
                $"no orchestrator can finish within the deadline: best expected completion {best:0.###} s, {context.Remaining.TotalSeconds:0.###} s left"));
        }

        var affordable = inTime.Where(k => Affordable(k.Session)).ToList();
        var choices = affordable.Count > 0 ? affordable : inTime;
        if (options.Mode == "power-of-two" && choices.Count > 2)
        {
            var a = SampleBySpeed(choices, context.Random, -1);
            var b = SampleBySpeed(choices, context.Random, a);
            return Pick(choices[a].Expected <= choices[b].Expected ? choices[a].Session : choices[b].Session);
        }

        return Pick(choices.OrderBy(k => k.Expected).ThenBy(k => PriceMath.Of(k.Session)).ThenBy(k => k.Session.InFlight).First().Session);
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
