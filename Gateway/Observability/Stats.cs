namespace LivepeerAspire.Gateway.Observability;

/// <summary>GET /stats: what the dashboard plots, from the last 10,000 jobs.</summary>
public sealed record Stats(
    string Strategy,
    long Requests,
    double RequestsPerSecond,
    long Errors,
    long Failovers,
    LatencySummary Latency,
    LatencySummary? Ttft,
    Dictionary<string, PipelineStats> Pipelines,
    Dictionary<string, long> Orchestrators)
{
    public const int RateWindowSeconds = 60;

    public static Stats Of(GatewayMetrics metrics, string strategy, DateTimeOffset now)
    {
        var recent = metrics.Recent();
        var windowStart = now - TimeSpan.FromSeconds(RateWindowSeconds);
        var inWindow = recent.Count(r => r.At >= windowStart);
        var ttfts = recent.Where(r => r.TtftSeconds is not null).Select(r => r.TtftSeconds!.Value).ToList();
        return new Stats(
            strategy,
            recent.Count,
            Math.Round(inWindow / (double)RateWindowSeconds, 3),
            recent.Count(r => r.Status >= 400),
            metrics.TotalFailovers(),
            LatencySummary.Of(recent.Where(r => r.Status == 200).Select(r => r.Seconds).ToList()),
            ttfts.Count == 0 ? null : LatencySummary.Of(ttfts),
            recent.GroupBy(r => r.Pipeline).ToDictionary(
                g => g.Key,
                g => new PipelineStats(g.Count(), g.Count(r => r.Status >= 400), LatencySummary.Of(g.Where(r => r.Status == 200).Select(r => r.Seconds).ToList()))),
            recent.Where(r => r.Orchestrator.Length > 0).GroupBy(r => r.Orchestrator).ToDictionary(g => g.Key, g => (long)g.Count()));
    }
}

public sealed record PipelineStats(long Requests, long Errors, LatencySummary Latency);

public sealed record LatencySummary(int Count, double P50, double P95, double P99, double Max)
{
    public static LatencySummary Of(List<double> seconds)
    {
        if (seconds.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0);
        }

        seconds.Sort();
        return new LatencySummary(seconds.Count, Percentile(seconds, 0.50), Percentile(seconds, 0.95), Percentile(seconds, 0.99), seconds[^1]);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(List<double> sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)], 6);
    }
}
