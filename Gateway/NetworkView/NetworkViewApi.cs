using System.Text.Json.Nodes;
using LivepeerAspire.Gateway.Access;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Forwarding;

namespace LivepeerAspire.Gateway.NetworkView;

/// <summary>
/// The Livepeer network as this gateway sees it, as a page (<c>GET /network</c>, linked from the gateway resource in
/// the Aspire dashboard) and its data: <c>GET /network/orchestrators</c> collects every discovered orchestrator's
/// <c>/status</c> (models warm or cold, capacity in use, prices, tickets), which a browser could not fetch across
/// origins. The page also reads the gateway's own <c>/stats</c> and <c>/orchestrators</c>.
/// </summary>
internal static class NetworkViewApi
{
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapNetworkView(this IEndpointRouteBuilder app)
    {
        app.MapGet("/network", () => Results.Content(NetworkPage.Html, "text/html; charset=utf-8"));
        app.MapGet("/network/orchestrators", async (IEnumerable<IOrchestratorSource> sources, GatewayHttp http, CancellationToken ct) =>
        {
            var urls = new HashSet<Uri>();
            foreach (var source in sources)
            {
                urls.UnionWith(await source.GetOrchestratorUrlsAsync(ct));
            }

            var statuses = await Task.WhenAll(urls.OrderBy(u => u.ToString(), StringComparer.Ordinal).Select(u => StatusOfAsync(http, u, ct)));
            return Results.Json(new JsonArray(statuses));
        });
        app.MapGet("/network/keys", (IServiceProvider services) =>
        {
            if (services.GetService<KeyRegistry>() is not { } keys)
            {
                return Results.Json(new JsonObject { ["enabled"] = false, ["keys"] = new JsonArray() });
            }

            var ledger = services.GetRequiredService<SpendLedger>();
            var limits = services.GetRequiredService<KeyRateLimits>();
            return Results.Json(new JsonObject { ["enabled"] = true, ["keys"] = new JsonArray(keys.All.Select(k => (JsonNode)AccessAdminApi.View(k, ledger, limits)).ToArray()) });
        });
        return app;
    }

    private static async Task<JsonNode> StatusOfAsync(GatewayHttp http, Uri orchestrator, CancellationToken ct)
    {
        var entry = new JsonObject { ["url"] = orchestrator.ToString().TrimEnd('/') };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StatusTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(orchestrator, "/status"));
            using var response = await http.Invoker.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            entry[response.IsSuccessStatusCode ? "status" : "error"] = response.IsSuccessStatusCode ? JsonNode.Parse(text) : $"{(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            entry["error"] = ct.IsCancellationRequested ? "cancelled" : $"no answer: {e.Message}";
        }

        return entry;
    }
}

internal static class NetworkPage
{
    public static string Html { get; } = Read("network.html");

    private static string Read(string name)
    {
        using var stream = typeof(NetworkPage).Assembly.GetManifestResourceStream($"NetworkView.{name}")
            ?? throw new InvalidOperationException($"embedded resource NetworkView.{name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
