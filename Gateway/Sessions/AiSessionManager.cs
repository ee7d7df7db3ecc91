using System.Collections.Concurrent;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Sessions;

/// <summary>
/// go-livepeer's AISessionManager: one selector per (capability, model), created on the first request (which waits
/// for its discovery). Select filters a pool (warm first, then cold) and hands the rest to the current strategy.
/// </summary>
public sealed class AiSessionManager(
    OrchestratorDiscovery discovery,
    StrategySelector strategies,
    SpeedTracker speeds,
    IStakeReader stakes,
    Cooldowns cooldowns,
    TimeProvider time,
    IOptions<DiscoveryOptions> discoveryOptions,
    Random random,
    MaxPrices maxPrices)
{
    private readonly ConcurrentDictionary<string, AiSessionSelector> selectors = new(StringComparer.Ordinal);
    private readonly Lock selectGate = new();

    public IReadOnlyCollection<AiSessionSelector> Selectors => selectors.Values.OrderBy(s => s.Pipeline.Name).ThenBy(s => s.ModelId).ToList();

    public AiSessionSelector SelectorFor(Pipeline pipeline, string modelId) =>
        selectors.GetOrAdd(pipeline.ManifestId(modelId), _ => new AiSessionSelector(pipeline, modelId, discovery, time, discoveryOptions.Value.PoolTtl));

    public async Task<SelectionResult> SelectAsync(
        Pipeline pipeline, string modelId, double work, TimeSpan remaining, IReadOnlySet<string> exclude, CancellationToken cancellationToken)
    {
        var selector = SelectorFor(pipeline, modelId);
        var known = (await discovery.KnownUrlsAsync(cancellationToken).ConfigureAwait(false)).Count;
        await selector.EnsureFreshAsync(known, cancellationToken).ConfigureAwait(false);
        var options = strategies.Options;
        var maxPrice = maxPrices.For(options, pipeline, modelId);
        var reasons = new List<string>();
        foreach (var pool in new[] { selector.WarmPool, selector.ColdPool })
        {
            var all = pool.Sessions;
            if (all.Count == 0)
            {
                continue;
            }

            var untried = all.Where(s => !exclude.Contains(s.Key)).ToList();
            if (untried.Count == 0)
            {
                reasons.Add($"all {all.Count} {(pool.Warm ? "warm" : "cold")} orchestrators already failed this request");
                continue;
            }

            var ready = untried.Where(s => HasFreeSlot(s, new PipelineModel(pipeline, modelId))).ToList();

            // Cooling-down and full orchestrators are a last resort, not banned: when none of the ready ones can take
            // the job (adaptive finds none that meets the deadline, say only a queued 4060 is ready while the fast GPUs
            // cool down after a capacity 503), the others are offered as well.
            var sets = ready.Count > 0 && ready.Count < untried.Count ? new[] { ready, untried } : [untried];
            string? reason = null;
            foreach (var set in sets)
            {
                var result = Choose(set, all, pool.Warm, pipeline, modelId, work, remaining, options, maxPrice);
                if (result.Session is not null)
                {
                    return result;
                }

                reason = result.Reason;
            }

            reasons.Add(reason ?? "the strategy chose none");
        }

        if (selector.WarmPool.Count + selector.ColdPool.Count == 0)
        {
            var suspended = selector.Suspender.SuspendedCount;
            reasons.Insert(0, known == 0
                ? "no orchestrators are configured (Discovery:OrchAddr)"
                : $"none of {known} orchestrators serves {pipeline.Name} with model {modelId}" + (suspended > 0 ? $" ({suspended} suspended)" : ""));
        }

        return SelectionResult.None(string.Join("; ", reasons));
    }

    /// <summary>
    /// What this gateway knows of the free slots for (pipeline, model) among the orchestrators not in
    /// <paramref name="exclude"/>: one is busy while it cools down after a capacity error or while this gateway has
    /// as many jobs in flight there as it advertises capacity, and those in <paramref name="refused"/> (they refused
    /// this job for capacity) count as busy too.
    /// </summary>
    public SlotView Slots(Pipeline pipeline, string modelId, IReadOnlySet<string> exclude, IReadOnlySet<string> refused)
    {
        var selector = SelectorFor(pipeline, modelId);
        var target = new PipelineModel(pipeline, modelId);
        int candidates = 0, free = 0;
        TimeSpan? firstCooldownEnd = null;
        foreach (var session in selector.WarmPool.Sessions.Concat(selector.ColdPool.Sessions))
        {
            var wasRefused = refused.Contains(session.Key);
            if (exclude.Contains(session.Key) && !wasRefused)
            {
                continue;
            }

            candidates++;
            var cooling = cooldowns.Remaining(session.Key, target);
            if (cooling > TimeSpan.Zero)
            {
                firstCooldownEnd = firstCooldownEnd is { } f && f < cooling ? f : cooling;
            }
            else if (!wasRefused && session.InFlight < session.Capacity)
            {
                free++;
            }
        }

        return new SlotView(candidates, free, firstCooldownEnd);
    }

    private bool HasFreeSlot(AiSession session, PipelineModel target) =>
        cooldowns.Remaining(session.Key, target) == TimeSpan.Zero && session.InFlight < session.Capacity;

    private SelectionResult Choose(List<AiSession> candidates, IReadOnlyList<AiSession> pool, bool warm, Pipeline pipeline, string modelId,
        double work, TimeSpan remaining, SelectionOptions options, Protocol.Pricing.BigRational? maxPrice)
    {
        if (maxPrice is { } max)
        {
            var affordable = candidates.Where(s => s.PricePerUnit is { } p && p <= max).ToList();
            if (affordable.Count == 0 && !options.IgnoreMaxPriceIfNeeded)
            {
                var cheapest = candidates.Where(s => s.PricePerUnit is not null).Select(s => s.PricePerUnit!.Value.ToDouble()).DefaultIfEmpty(double.NaN).Min();
                return SelectionResult.None($"{candidates.Count} {(warm ? "warm" : "cold")} orchestrators price above the max price {max.ToDouble():G6} wei/unit (cheapest {cheapest:G6})");
            }

            if (affordable.Count > 0)
            {
                candidates = affordable;
            }
        }

        lock (selectGate)
        {
            var context = new SelectionContext(pipeline, modelId, work, remaining, options, random, speeds, stakes) { Pool = pool };
            return strategies.Current.Select(candidates, context);
        }
    }

    /// <summary>Removes and suspends the orchestrator in this (pipeline, model) (go-livepeer's Remove).</summary>
    public void Suspend(AiSession session) => SelectorFor(session.Pipeline, session.ModelId).Remove(session);
}

/// <summary>Orchestrators that could take a job, how many have a free slot, and when the first cooldown among them ends.</summary>
public readonly record struct SlotView(int Candidates, int Free, TimeSpan? FirstCooldownEnd)
{
    public bool AllBusy => Candidates > 0 && Free == 0;
}
