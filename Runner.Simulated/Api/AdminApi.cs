using System.Text.Json;
using System.Text.Json.Serialization;
using LivepeerAspire.Runner.Simulated.Fleet;
using LivepeerAspire.Runner.Simulated.Faults;
using LivepeerAspire.Runner.Simulated.Gpus;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>One GPU in <c>GET /admin/gpus</c>.</summary>
public sealed record GpuStatus(
    string Id, string Profile, string Pipeline, string ModelId, string Quantization, bool Busy, int InService, int Queued,
    long JobsServed, bool Loaded, string Placement, bool Down, FaultStatus? Fault, double TimeScale)
{
    /// <summary>Simulated GPU-seconds held by jobs that ended without an answer (cancelled or failed).</summary>
    public double AbandonedSeconds { get; init; }
}

public sealed record FaultStatus(FaultSpec Spec, string Origin, double SinceSeconds);

/// <summary>
/// <c>GET /admin/gpus</c>, <c>GET /admin/gpus/{id}</c>, <c>POST /admin/gpus/{id}/faults</c> (sets the GPU's
/// fault now, replacing any other) and <c>DELETE /admin/gpus/{id}/faults</c> (clears admin and scripted faults).
/// </summary>
public static class AdminApi
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/gpus");
        admin.AddEndpointFilter(RequireTokenToChangeFaults);
        admin.MapGet("/", (SimulatedFleet fleet) => Results.Json(fleet.Gpus.Select(Status), Json));
        admin.MapGet("/{gpuId}", (SimulatedFleet fleet, string gpuId) =>
            fleet.TryGet(gpuId, out var gpu) ? Results.Json(Status(gpu), Json) : UnknownGpu(fleet, gpuId));
        admin.MapPost("/{gpuId}/faults", SetFaultAsync);
        admin.MapDelete("/{gpuId}/faults", (SimulatedFleet fleet, string gpuId) =>
        {
            if (!fleet.TryGet(gpuId, out var gpu))
            {
                return UnknownGpu(fleet, gpuId);
            }

            gpu.Faults.Clear();
            return Results.Json(Status(gpu), Json);
        });
    }

    private static async Task<IResult> SetFaultAsync(HttpContext ctx, SimulatedFleet fleet, string gpuId)
    {
        if (!fleet.TryGet(gpuId, out var gpu))
        {
            return UnknownGpu(fleet, gpuId);
        }

        string body;
        using (var reader = new StreamReader(ctx.Request.Body))
        {
            body = await reader.ReadToEndAsync(ctx.RequestAborted);
        }

        FaultSpec spec;
        try
        {
            spec = StrictJson.Parse<FaultSpec>(body, "request body");
        }
        catch (ConfigFileException ex)
        {
            return BadRequest($"{ex.JsonPath}: {ex.Reason}. Example: {{\"kind\":\"slow\",\"factor\":10}}");
        }

        if (FaultKinds.Check(spec, gpu.Config.Pipeline.Name) is { } problem)
        {
            return BadRequest($"$.{problem.Member}: {problem.Reason}");
        }

        if (spec.AtSeconds is not null)
        {
            return BadRequest("$.atSeconds: an admin fault starts now; atSeconds is for faults scripted in the fleet file (forSeconds is allowed)");
        }

        gpu.Faults.Set(spec, fleet.Clock.SimNow);
        return Results.Json(Status(gpu), Json);
    }

    public static GpuStatus Status(SimulatedGpu gpu)
    {
        var now = gpu.Clock.SimNow;
        var fault = gpu.Faults.Current(now);
        return new GpuStatus(
            gpu.Id, gpu.Config.Profile.Name, gpu.Config.Pipeline.Name, gpu.Config.ModelId, gpu.Config.Quantization,
            gpu.InService > 0, gpu.InService, gpu.Waiting, gpu.JobsServed, gpu.IsLoaded, gpu.Placement.Name,
            fault?.IsDown(now) == true,
            fault is null ? null : new FaultStatus(fault.Spec, fault.Origin, (now - fault.Since).TotalSeconds),
            gpu.Clock.TimeScale) { AbandonedSeconds = gpu.AbandonedSeconds };
    }

    private static IResult BadRequest(string message) =>
        Results.Json(new { detail = new { msg = message } }, Json, statusCode: StatusCodes.Status400BadRequest);

    private static async ValueTask<object?> RequireTokenToChangeFaults(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var token = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<SimulatorOptions>>().Value.AdminToken;
        if (string.IsNullOrEmpty(token) || HttpMethods.IsGet(http.Request.Method))
        {
            return await next(context);
        }

        var presented = System.Text.Encoding.UTF8.GetBytes(http.Request.Headers.Authorization.ToString());
        var expected = System.Text.Encoding.UTF8.GetBytes("Bearer " + token);
        if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(presented, expected))
        {
            return await next(context);
        }

        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Json(new { detail = new { msg = "changing faults needs the simulator's admin token (Simulator:AdminToken) as Authorization: Bearer <token>" } },
            Json, statusCode: StatusCodes.Status401Unauthorized);
    }

    private static IResult UnknownGpu(SimulatedFleet fleet, string gpuId) =>
        Results.Json(new { detail = new { msg = $"unknown GPU '{gpuId}'; this simulator has: {string.Join(", ", fleet.Gpus.Select(g => g.Id))}" } },
            Json, statusCode: StatusCodes.Status404NotFound);
}
