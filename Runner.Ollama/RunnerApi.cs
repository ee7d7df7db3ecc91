using System.Security.Cryptography;
using System.Text;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Ollama.Health;
using LivepeerAspire.Runner.Ollama.Llm;
using LivepeerAspire.Runner.Ollama.Models;
using LivepeerAspire.Runner.Ollama.Ollama;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Runner.Ollama;

/// <summary>The ai-runner routes the shim serves: /llm, /health, /hardware/info, /hardware/stats, /version (routing also matches a trailing slash).</summary>
internal static class RunnerApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/llm", (HttpContext context, LlmHandler handler) => handler.HandleAsync(context))
            .AddEndpointFilter(RequireBearerToken);

        app.MapGet("/health", async (OllamaHealthProbe probe, ILogger<OllamaHealthProbe> logger, CancellationToken ct) =>
        {
            var answer = await probe.CheckAsync(ct);
            if (answer.Status != HealthCheck.Ok)
            {
                logger.LogInformation("/health: {Status} ({Reason})", answer.Status, answer.Reason);
            }

            return Results.Json(new HealthCheck(answer.Status), WireJson.Options, statusCode: answer.HttpStatus);
        });

        app.MapGet("/hardware/info", (ServedModel served, IOptions<OllamaRunnerOptions> options) =>
        {
            var o = options.Value;
            var gpus = new Dictionary<string, GpuComputeInfo>();
            if (!string.IsNullOrWhiteSpace(o.GpuName))
            {
                gpus["0"] = new GpuComputeInfo("ollama-0", o.GpuName, o.GpuMemoryTotal, o.GpuMemoryTotal, 0, 0);
            }

            return Results.Json(new HardwareInformation(PipelineCatalog.Llm.Name, served.ModelId, gpus), WireJson.Options);
        });

        // ai-runner HardwareStats from what Ollama reports: memory in use is the VRAM of the models /api/ps lists.
        // Ollama reports no compute utilisation, so utilization_compute is 0; a GPU without a configured name is absent,
        // as on /hardware/info.
        app.MapGet("/hardware/stats", async (ServedModel served, OllamaClient ollama, IOptions<OllamaRunnerOptions> options, CancellationToken ct) =>
        {
            var o = options.Value;
            var gpus = new Dictionary<string, GpuUtilizationInfo>();
            if (!string.IsNullOrWhiteSpace(o.GpuName))
            {
                IReadOnlyList<OllamaModel> running;
                try
                {
                    running = await ollama.ListRunningAsync(ct);
                }
                catch (HttpRequestException e)
                {
                    return Results.Json(RunnerError.Of($"Ollama at {ollama.BaseUri} cannot be reached: {e.Message}"), WireJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
                }

                var used = Math.Min(o.GpuMemoryTotal, running.Sum(m => m.SizeVram ?? 0));
                var percent = o.GpuMemoryTotal > 0 ? (int)Math.Round(100.0 * used / o.GpuMemoryTotal) : 0;
                gpus["0"] = new GpuUtilizationInfo("ollama-0", o.GpuName, o.GpuMemoryTotal, o.GpuMemoryTotal - used, 0, percent);
            }

            return Results.Json(new HardwareStats(PipelineCatalog.Llm.Name, served.ModelId, gpus), WireJson.Options);
        });

        app.MapGet("/version", (ServedModel served, IOptions<OllamaRunnerOptions> options) =>
            Results.Json(new RunnerVersion(PipelineCatalog.Llm.Name, served.ModelId, options.Value.Version), WireJson.Options));
    }

    /// <summary>ai-runner AUTH_TOKEN behaviour: 401, <c>WWW-Authenticate: Bearer</c>, no trailing period on /llm.</summary>
    private static async ValueTask<object?> RequireBearerToken(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var token = http.RequestServices.GetRequiredService<IOptions<OllamaRunnerOptions>>().Value.Token;
        if (string.IsNullOrEmpty(token))
        {
            return await next(context);
        }

        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(token)))
        {
            return await next(context);
        }

        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Json(RunnerError.Of("Invalid bearer token"), WireJson.Options, statusCode: StatusCodes.Status401Unauthorized);
    }
}
