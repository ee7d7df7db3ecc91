using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Running;

namespace LivepeerAspire.LoadTests.Stats;

/// <summary>Turns a run's records into its <see cref="RunSummary"/>; warm-up requests are left out of every figure.</summary>
public static class SummaryBuilder
{
    /// <summary>p99 send lag above this flags the generator as overloaded.</summary>
    public const double LagLimitMs = 100;

    public static RunSummary Build(
        string label,
        Scenario scenario,
        JobPlan plan,
        IReadOnlyList<RequestRecord> records,
        Slo slo,
        TimeSpan requestTimeout,
        IReadOnlyDictionary<string, string>? parameters = null)
    {
        var measured = records.Where(r => r.IsMeasured).ToList();
        var seconds = plan.Simulation.Duration.TotalSeconds;
        var warmMs = plan.WarmUp.TotalMilliseconds;
        if (!plan.Simulation.IsOpen && measured.Count > 0)
        {
            // A closed run that hit its request bound ended early; rates are over the time it actually ran.
            seconds = Math.Clamp((measured.Max(r => r.EndMs) - warmMs) / 1000, 1e-3, seconds);
        }

        var sent = measured.Where(r => r.Outcome != Outcomes.NotSent).ToList();
        double target;
        double achieved;
        if (plan.Simulation.IsOpen)
        {
            var plannedMeasured = plan.Requests.Count(p => p.Intended!.Value >= plan.WarmUp);
            target = plannedMeasured / seconds;
            var gap = plannedMeasured > 0 ? seconds / plannedMeasured : 0;
            var span = sent.Count == 0 ? seconds : ((sent.Max(r => r.SentMs) - warmMs) / 1000) + gap;
            achieved = sent.Count / Math.Max(span, 1e-9);
        }
        else
        {
            target = double.NaN;
            achieved = sent.Count / seconds;
        }

        var lag = Distribution.Of(sent.Select(r => r.LagMs));
        var notSent = measured.Count - sent.Count;
        var reasons = new List<string>();
        if (plan.Simulation.IsOpen && achieved < 0.95 * target)
        {
            reasons.Add($"sent {achieved:0.##}/s of the {target:0.##}/s asked for");
        }

        if (plan.Simulation.IsOpen && lag.Count > 0 && lag.P99 > LagLimitMs)
        {
            reasons.Add($"p99 send lag {lag.P99:0.#} ms (limit {LagLimitMs} ms)");
        }

        if (notSent > 0)
        {
            reasons.Add($"{notSent} requests not sent (client in-flight cap)");
        }

        return new RunSummary
        {
            Label = label,
            Scenario = scenario.Name,
            Mix = scenario.Mix.ToString(),
            Simulation = plan.Simulation.Describe(),
            LoadModel = plan.Simulation.IsOpen ? "open" : "closed",
            Seed = plan.Seed,
            WarmUpSeconds = plan.WarmUp.TotalSeconds,
            MeasuredSeconds = seconds,
            RequestTimeoutSeconds = requestTimeout.TotalSeconds,
            TargetRps = target,
            AchievedRps = achieved,
            SendLag = lag,
            GeneratorOverloaded = reasons.Count > 0,
            OverloadReason = string.Join("; ", reasons),
            WarmUpRequestsExcluded = records.Count - measured.Count,
            Slo = slo.Describe(),
            Overall = GroupStats.Of("all", measured, seconds, measured.Count, slo),
            ByJob = measured.GroupBy(r => r.Job).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => GroupStats.Of(g.Key, g.ToList(), seconds, measured.Count, slo)).ToList(),
            ByOrchestrator = measured.GroupBy(r => string.IsNullOrEmpty(r.Orchestrator) ? "(none)" : r.Orchestrator)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => GroupStats.Of(g.Key, g.ToList(), seconds, measured.Count, slo)).ToList(),
            Timeline = Timeline(measured, warmMs, seconds),
            Parameters = parameters ?? new Dictionary<string, string>(),
        };
    }

    private static List<TimeBucket> Timeline(IReadOnlyList<RequestRecord> measured, double warmMs, double seconds)
    {
        var bucketS = Math.Max(seconds / 40, Math.Min(1, seconds / 4));
        var count = (int)Math.Ceiling(seconds / bucketS);
        var result = new List<TimeBucket>(count);
        var groups = measured.GroupBy(r => Math.Clamp((int)((r.IntendedMs - warmMs) / 1000 / bucketS), 0, Math.Max(0, count - 1)))
            .ToDictionary(g => g.Key, g => g.ToList());
        for (var i = 0; i < count; i++)
        {
            var bucket = groups.TryGetValue(i, out var list) ? list : [];
            var ok = bucket.Where(r => r.IsOk).Select(r => r.LatencyMs).OrderBy(v => v).ToList();
            result.Add(new TimeBucket(
                Math.Round((warmMs / 1000) + (i * bucketS), 3),
                bucket.Count,
                ok.Count,
                bucket.Count - ok.Count,
                Distribution.NearestRank(ok, 50),
                Distribution.NearestRank(ok, 99)));
        }

        return result;
    }
}
