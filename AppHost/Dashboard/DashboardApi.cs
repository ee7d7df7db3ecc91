using LivepeerAspire.AppHost.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LivepeerAspire.AppHost.Dashboard;

/// <summary>
/// The dashboard's routes: the page at <c>/</c>, <c>GET /api/resources</c>, <c>GET /api/resources/{name}/logs?after=N</c>,
/// <c>POST /api/resources/{name}/{stop|start|restart}</c>, <c>GET /api/network</c> and
/// <c>POST|DELETE /api/orchestrators/{name}/faults</c>.
/// </summary>
internal static class DashboardApi
{
    public static void MapDashboardApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", () => Results.Content(DashboardPage.Html, "text/html; charset=utf-8"));
        routes.MapGet("/dashboard.css", () => Results.Content(DashboardPage.Css, "text/css; charset=utf-8"));
        routes.MapGet("/dashboard.js", () => Results.Content(DashboardPage.Script, "text/javascript; charset=utf-8"));

        var api = routes.MapGroup("/api");
        api.MapGet("/resources", (DistributedApplication app) => Results.Json(app.Instances.Select(ResourceDto.From)));
        api.MapGet("/resources/{name}/logs", (DistributedApplication app, string name, long? after, int? max) =>
            app.FindInstance(name) is { } instance
                ? Results.Json(new { name = instance.Name, lines = instance.Logs.After(after ?? 0, Math.Clamp(max ?? 500, 1, 2000)).Select(l => new { seq = l.Sequence, time = l.Time, stream = l.Stream, text = l.Text }) })
                : NotFound(name));
        api.MapPost("/resources/{name}/{action}", async (DistributedApplication app, string name, string action) =>
        {
            if (app.FindInstance(name) is not { } instance)
            {
                return NotFound(name);
            }

            switch (action)
            {
                case "stop":
                    await instance.StopAsync();
                    break;
                case "start":
                    await instance.StartAsync();
                    break;
                case "restart":
                    _ = Task.Run(instance.RestartAsync);
                    break;
                default:
                    return Results.Json(new { error = $"unknown action '{action}'; use stop, start or restart" }, statusCode: 400);
            }

            return Results.Json(ResourceDto.From(instance));
        });
        api.MapGet("/network", async (NetworkView view, CancellationToken ct) => Results.Json(await view.SnapshotAsync(ct)));
        api.MapPost("/orchestrators/{name}/faults", async (NetworkView view, string name, HttpRequest request, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(ct);
            var outcome = await view.SetFaultAsync(name, body, ct);
            return Results.Json(outcome.Body, statusCode: outcome.Status);
        });
        api.MapDelete("/orchestrators/{name}/faults", async (NetworkView view, string name, CancellationToken ct) =>
        {
            var outcome = await view.ClearFaultAsync(name, ct);
            return Results.Json(outcome.Body, statusCode: outcome.Status);
        });
    }

    private static IResult NotFound(string name) =>
        Results.Json(new { error = $"no resource named '{name}'; GET /api/resources lists them" }, statusCode: 404);
}

internal sealed record ResourceDto(
    string Name,
    string Resource,
    string Kind,
    string State,
    string? Detail,
    int? Pid,
    int? ExitCode,
    int Restarts,
    string? Url,
    DateTimeOffset? StartedAt,
    IReadOnlyList<string> WaitsFor,
    IReadOnlyDictionary<string, string> Annotations)
{
    public static ResourceDto From(ResourceInstance i) => new(
        i.Name,
        i.Resource.Name,
        i.Resource.Kind.ToString().ToLowerInvariant(),
        i.State.ToDisplay(),
        i.StateDetail,
        i.Pid,
        i.ExitCode,
        i.RestartCount,
        i.Url,
        i.StartedAt,
        i.Resource.WaitForResources.Select(r => r.Name).ToList(),
        i.Resource.Annotations);
}
