using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Api;

/// <summary>/getNetworkCapabilities, /orchestrators, /metrics and /stats.</summary>
public static class ObservabilityApi
{
    public static IEndpointRouteBuilder MapObservabilityApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/getNetworkCapabilities", async (HttpContext context, NetworkCapabilitiesPoller network) =>
            Results.Json(await network.GetAsync(TimeSpan.FromSeconds(30), context.RequestAborted).ConfigureAwait(false), WireJson.Options));

        app.MapGet("/orchestrators", (AiSessionManager sessions, SpeedTracker speeds, Cooldowns cooldowns, IStakeReader stakes, StrategySelector selection) =>
            Results.Json(new
            {
                Strategy = selection.Current.Name,
                Pools = sessions.Selectors.Select(s => new
                {
                    Pipeline = s.Pipeline.Name,
                    s.ModelId,
                    LastRefresh = s.LastRefresh == DateTimeOffset.MinValue ? (DateTimeOffset?)null : s.LastRefresh,
                    s.Refreshes,
                    RefreshCount = s.Suspender.Count,
                    Warm = s.WarmPool.Sessions.Select(x => View(x, speeds, cooldowns, stakes)).ToList(),
                    Cold = s.ColdPool.Sessions.Select(x => View(x, speeds, cooldowns, stakes)).ToList(),
                }).ToList(),
                Suspended = sessions.Selectors.SelectMany(s => SuspendedIn(s)).ToList(),
            }, WireJson.Options));

        app.MapGet("/metrics", (GatewayMetrics metrics) => Results.Text(metrics.Prometheus(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapGet("/stats", (GatewayMetrics metrics, StrategySelector selection, TimeProvider time) => Results.Json(Stats.Of(metrics, selection.Current.Name, time.GetUtcNow()), WireJson.Options));
        return app;
    }

    private static object View(AiSession s, SpeedTracker speeds, Cooldowns cooldowns, IStakeReader stakes)
    {
        var speed = speeds.Get(s.Key, new PipelineModel(s.Pipeline, s.ModelId));
        return new
        {
            Orchestrator = s.Key,
            s.Address,
            s.Warm,
            s.Capacity,
            PricePerUnit = s.Info.PriceInfo?.PricePerUnit,
            PixelsPerUnit = s.Info.PriceInfo?.PixelsPerUnit,
            Stake = stakes.StakeOf(s),
            InitialLatencyMs = Math.Round(s.InitialLatency.TotalMilliseconds, 3),
            s.LatencyScore,
            EwmaSecondsPerUnit = speed is { Samples: > 0 } ? speed.SecondsPerUnit : (double?)null,
            EwmaSamples = speed?.Samples ?? 0,
            s.InFlight,
            InFlightWork = s.InFlightWork,
            CooldownMs = Math.Round(cooldowns.Remaining(s.Key, new PipelineModel(s.Pipeline, s.ModelId)).TotalMilliseconds),
        };
    }

    private static IEnumerable<object> SuspendedIn(AiSessionSelector selector)
    {
        var keys = selector.WarmPool.Sessions.Concat(selector.ColdPool.Sessions).Select(s => s.Key).ToHashSet();
        return selector.SuspendedKeys()
            .Where(k => !keys.Contains(k))
            .Select(k => new { Pipeline = selector.Pipeline.Name, selector.ModelId, Orchestrator = k, RefreshesLeft = selector.Suspender.RefreshesLeft(k) });
    }
}
