using LivepeerAspire.Protocol.Pipelines;
using System.Globalization;
using LivepeerAspire.Gateway.Sessions;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// Ours. Expected completion time on an orchestrator = (in-flight work + this job's work) × its EWMA
/// seconds per unit (a shortest-expected-delay rule that knows each orchestrator's speed). Orchestrators with no
/// measurement get up to Adaptive:ExplorationJobs jobs to learn them; candidates that cannot finish within the
/// time left are skipped, and so are ones whose advertised capacity this gateway already fills (unless all are full).
/// With a cost budget the rank is expected completion + λ × relative price premium × the job's fastest service time,
/// where the premium is against budget × the pool's mean price (what an even spread such as round-robin pays) and λ
/// grows with the <see cref="SpendBudget"/> debt: a dual price that buys speed where a queue makes it worth it and
/// keeps the average price paid at the budget. Only candidates within Adaptive:LatencySlack × the fastest service time
/// of the soonest finish are considered, so saving money never costs a job a whole queue. Past
/// <see cref="MaxDebtJobs"/> of debt only those at or below the budget price remain, if any. The deadline and the
/// latency slack come before the budget: at high load the budget can be exceeded, unless Adaptive:TailShare lets a
/// bounded share of jobs go to cheap idle GPUs beyond the slack (see <see cref="TailPick"/>).
/// Mode <c>rank</c> takes the lowest score; <c>power-of-two</c> samples two candidates in proportion to measured
/// speed and takes the better (DESIGN.md: uniform sampling is unstable on a heterogeneous fleet).
/// </summary>
public sealed class AdaptiveStrategy : ISelectionStrategy
{
    public const string StrategyName = "adaptive";

    /// <summary>
    /// λ with an even account. Around it an idle card 19 % under budget beats an idle one 10 % over it that is 1.5×
    /// faster, but a queue at the cheap card does not: jobs go to cheap cards while they are free, not into their
    /// queue while a fast card idles. Savings lower λ linearly to 0 at the one-job cap (so they get spent on speed);
    /// debt raises it by 1 per job.
    /// </summary>
    public const double BasePriceWeight = 4;

    /// <summary>Debt, in jobs at the budget price, beyond which only candidates at or below the budget price are used.</summary>
    public const double MaxDebtJobs = 2;

    public string Name => StrategyName;

    public SpendBudget Spend { get; } = new();

    public SelectionResult Select(IReadOnlyList<AiSession> candidates, SelectionContext context)
    {
        var options = context.Options.Adaptive;
        var target = context.Target;
        var budgetPrice = options.CostBudget * ReferencePrice(context.Pool ?? candidates, context);
        SelectionResult Pick(AiSession c, bool tail = false)
        {
            if (budgetPrice > 0)
            {
                Spend.Charge(target, budgetPrice, PriceMath.Of(c), context.Work, tail);
            }

            return SelectionResult.Of(c);
        }

        var speeds = candidates.Select(c => context.Speeds.Get(c.Key, target)).ToList();
        var unknown = candidates.Where((c, i) => speeds[i] is not { Samples: > 0 }).OrderBy(c => c.InFlight).ThenBy(c => c.InitialLatency).ToList();

        // One exploration job at a time per orchestrator: a second one queued behind the first on a slow GPU (a 4060
        // offloading image-to-video) can outlast the attempt timeout, and a timeout suspends it for the whole run.
        foreach (var candidate in unknown.Where(c => c.InFlight == 0))
        {
            if (context.Speeds.TryExplore(candidate.Key, target, options.ExplorationJobs))
            {
                return Pick(candidate);
            }
        }

        foreach (var candidate in candidates.Where((c, i) => speeds[i] is { Samples: > 0 } && c.InFlight == 0))
        {
            if (context.Speeds.TryReprobe(candidate.Key, target, options.ReprobeAfter))
            {
                return Pick(candidate);
            }
        }

        var known = candidates.Select((c, i) => (Session: c, Speed: speeds[i]))
            .Where(x => x.Speed is { Samples: > 0 })
            .Select(x => new Estimate(x.Session, x.Speed!.SecondsPerUnit, Expected(x.Session, x.Speed.SecondsPerUnit, context.Work)))
            .ToList();
        if (known.Count == 0)
        {
            // Every candidate is unknown and has used its exploration budget without a result: least busy first.
            return Pick(unknown[0]);
        }

        // This gateway's own in-flight jobs fill an orchestrator's admission slots: one that is full would answer 503.
        var withRoom = known.Where(k => k.Session.InFlight < k.Session.Capacity).ToList();
        bool InTime(Estimate k) => k.Expected <= context.Remaining.TotalSeconds;
        var inTime = withRoom.Where(InTime).ToList();
        if (inTime.Count == 0)
        {
            // The ones with room are too slow (say, 4060s with a queue): a full one may have freed a slot by now.
            inTime = known.Where(InTime).ToList();
        }

        if (inTime.Count == 0)
        {
            var best = known.Min(k => k.Expected);
            return SelectionResult.None(string.Create(CultureInfo.InvariantCulture,
                $"no orchestrator can finish within the deadline: best expected completion {best:0.###} s, {context.Remaining.TotalSeconds:0.###} s left"));
        }

        var choices = inTime;
        Func<Estimate, double> score = k => k.Expected;
        var debt = 0.0;
        if (budgetPrice > 0)
        {
            // Price may only buy time within the latency slack: a cheap card whose queue would finish the job more than
            // LatencySlack × the fastest service time after the best candidate is not a choice, whatever it saves.
            var fastest = inTime.Min(k => k.SecondsPerUnit) * context.Work;
            var soonest = inTime.Min(k => k.Expected);
            choices = inTime.Where(k => k.Expected <= soonest + (options.LatencySlack * fastest) + 1e-12).ToList();
            debt = Spend.DebtInJobs(target, budgetPrice, context.Work);
            var withinBudget = choices.Where(k => PriceMath.Of(k.Session) <= budgetPrice * (1 + 1e-12)).ToList();
            if (debt >= MaxDebtJobs && withinBudget.Count > 0)
            {
                choices = withinBudget;
            }

            var lambda = debt < 0 ? BasePriceWeight * Math.Max(0, 1 + debt) : BasePriceWeight + debt;
            score = k => k.Expected + (lambda * ((PriceMath.Of(k.Session) - budgetPrice) / budgetPrice) * fastest);
        }

        AiSession chosen;
        if (options.Mode == "power-of-two" && choices.Count > 2)
        {
            var a = SampleBySpeed(choices, context.Random, -1);
            var b = SampleBySpeed(choices, context.Random, a);
            chosen = score(choices[a]) <= score(choices[b]) ? choices[a].Session : choices[b].Session;
        }
        else
        {
            chosen = choices.OrderBy(score).ThenBy(k => PriceMath.Of(k.Session)).ThenBy(k => k.Session.InFlight).First().Session;
        }

        var tail = debt > 0 && PriceMath.Of(chosen) > budgetPrice ? TailPick(withRoom.Where(InTime), choices, budgetPrice, options, target) : null;
        return tail is null ? Pick(chosen) : Pick(tail, tail: true);
    }

    /// <summary>
    /// While the budget is in debt and the regular pick is over the budget price, a job may instead go to the soonest
    /// idle candidate beyond the latency slack that is under the budget price and meets the deadline, as long as such
    /// tail picks are at least 1 / Adaptive:TailShare picks apart. Idle only: a tail job never waits in a slow GPU's queue.
    /// </summary>
    private AiSession? TailPick(IEnumerable<Estimate> inTimeWithRoom, List<Estimate> choices, double budgetPrice, AdaptiveOptions options, PipelineModel target)
    {
        if (options.TailShare <= 0 || !Spend.TailAllowed(target, options.TailShare))
        {
            return null;
        }

        return inTimeWithRoom
            .Where(k => k.Session.InFlight == 0 && !choices.Contains(k) && PriceMath.Of(k.Session) < budgetPrice)
            .OrderBy(k => k.Expected)
            .ThenBy(k => PriceMath.Of(k.Session))
            .FirstOrDefault()?.Session;
    }

    /// <summary>
    /// The mean price of the pool's orchestrators that the latency slack could ever let this job use: a GPU whose bare
    /// service time is beyond (1 + LatencySlack) × the fastest one's (a 4060 offloading a video) is never chosen by
    /// price, so its low price must not pull the budget down to where only it could meet it.
    /// </summary>
    private static double ReferencePrice(IReadOnlyList<AiSession> pool, SelectionContext context)
    {
        var service = pool.ToDictionary(s => s, s => context.Speeds.Get(s.Key, context.Target) is { Samples: > 0 } speed
            ? speed.SecondsPerUnit * context.Work
            : (double?)null);
        var measured = service.Values.Where(v => v is not null).Select(v => v!.Value).ToList();
        if (measured.Count == 0)
        {
            return pool.Average(PriceMath.Of);
        }

        var limit = measured.Min() * (1 + context.Options.Adaptive.LatencySlack) * (1 + 1e-9);
        return pool.Where(s => service[s] is not { } t || t <= limit).Average(PriceMath.Of);
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

    private sealed record Estimate(AiSession Session, double SecondsPerUnit, double Expected);

    private static int SampleBySpeed(List<Estimate> items, Random random, int exclude)
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
