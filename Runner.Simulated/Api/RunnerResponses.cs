using System.Globalization;
using System.Text.Json;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Simulated.Gpus;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>One FastAPI validation problem: <c>{"type","loc","msg","input"}</c>.</summary>
public sealed record ValidationItem(string Type, object[] Loc, string Msg, object? Input = null);

/// <summary>The ai-runner's error answers: <c>{"detail":{"msg"}}</c>, FastAPI's 422 list and 404.</summary>
public static class RunnerResponses
{
    public static Task Detail(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsJsonAsync(RunnerError.Of(message), WireJson.Options);
    }

    public static Task Validation(HttpContext ctx, IReadOnlyList<ValidationItem> items)
    {
        ctx.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return ctx.Response.WriteAsJsonAsync(new { detail = items }, WireJson.Options);
    }

    /// <summary>FastAPI's answer for a route that is not mounted (the runner mounts only its pipeline's route).</summary>
    public static Task NotFound(HttpContext ctx)
    {
        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        return ctx.Response.WriteAsJsonAsync(new { detail = "Not Found" }, WireJson.Options);
    }

    public static Task Unauthorized(HttpContext ctx, string message)
    {
        ctx.Response.Headers.WWWAuthenticate = "Bearer";
        return Detail(ctx, StatusCodes.Status401Unauthorized, message);
    }

    /// <summary>The runner's per-route default 500 message (what an errors fault answers).</summary>
    public static string PipelineErrorMessage(string pipeline) => pipeline switch
    {
        "text-to-image" => "Text-to-image pipeline error.",
        "image-to-image" => "Image-to-image pipeline error.",
        "image-to-video" => "Image-to-video pipeline error.",
        "upscale" => "Upscale pipeline error.",
        "audio-to-text" => "Audio-to-text pipeline error.",
        "segment-anything-2" => "Segment-anything-2 pipeline error.",
        "llm" => "Internal server error during LLM processing.",
        "image-to-text" => "Image-to-text pipeline error.",
        "text-to-speech" => "Text-to-speech pipeline error.",
        _ => "Pipeline error.",
    };

    public static Task Failure(HttpContext ctx, SimulatedGpu gpu, SimulatedFailureException failure)
    {
        var pipeline = gpu.Config.Pipeline.Name;
        return failure.Kind switch
        {
            FailureKind.PipelineError => Detail(ctx, 500, PipelineErrorMessage(pipeline)),
            FailureKind.OutOfMemory when pipeline is "text-to-image" or "image-to-image" or "upscale" or "image-to-video" =>
                Detail(ctx, 500, "Out of memory error. Try reducing output image resolution."),
            FailureKind.OutOfMemory or FailureKind.ModelDoesNotFit => Detail(ctx, 500, "GPU out of memory."),
            _ => Detail(ctx, 503, "insufficient capacity"),
        };
    }

    /// <summary>Headers that let a client see the simulation: time scale, simulated load and service seconds.</summary>
    public static void SimulationHeaders(HttpContext ctx, GpuLease lease)
    {
        ctx.Response.Headers["X-Simulator-Load-Seconds"] = lease.LoadDuration.TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture);
        ctx.Response.Headers["X-Simulator-Service-Seconds"] = lease.ServiceDuration.TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture);
    }

    public static Task Json<T>(HttpContext ctx, T value)
    {
        ctx.Response.StatusCode = 200;
        return ctx.Response.WriteAsJsonAsync(value, WireJson.Options);
    }

    public static string Describe(JsonValueKind kind) => kind.ToString().ToLowerInvariant();
}
