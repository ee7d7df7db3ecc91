using System.Text.Json;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Api;

/// <summary>GET|PUT /admin/selection: read or switch the strategy (and its weights) at run time for experiments.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/selection", (StrategySelector selection) => Results.Json(View(selection), WireJson.Options));
        app.MapPut("/admin/selection", async (HttpContext context, StrategySelector selection, ILoggerFactory logs) =>
        {
            JsonElement body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                await ErrorWriter.Livepeer(context, 400, $"request body is not valid JSON: {e.Message}").ConfigureAwait(false);
                return;
            }

            if (body.ValueKind != JsonValueKind.Object)
            {
                await ErrorWriter.Livepeer(context, 400, "request body must be a JSON object such as {\"strategy\":\"adaptive\"}").ConfigureAwait(false);
                return;
            }

            if (!selection.TryUpdate(body, out var errors))
            {
                await ErrorWriter.Livepeer(context, 400, string.Join("; ", errors)).ConfigureAwait(false);
                return;
            }

            logs.CreateLogger("LivepeerAspire.Gateway.Admin").LogInformation("selection changed: strategy={Strategy}", selection.Current.Name);
            await context.Response.WriteAsJsonAsync(View(selection), WireJson.Options, "application/json", context.RequestAborted).ConfigureAwait(false);
        });
        return app;
    }

    private static object View(StrategySelector selection)
    {
        var o = selection.Options;
        return new
        {
            Strategy = selection.Current.Name,
            Strategies = selection.Names,
            o.StakeWeight,
            o.PriceWeight,
            o.RandWeight,
            o.PriceExpFactor,
            o.MinPerfScore,
            o.MaxPricePerUnit,
            o.IgnoreMaxPriceIfNeeded,
            Adaptive = new { o.Adaptive.Mode, o.Adaptive.EwmaAlpha, o.Adaptive.ExplorationJobs, o.Adaptive.CostBudget, o.Adaptive.LatencySlack },
        };
    }
}
