using System.Globalization;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Runner.Simulated.Gpus;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>A handler for one GPU's route, after the GPU is found and the request's cancellation is linked to shutdown.</summary>
public delegate Task GpuHandler(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct);

public delegate Task FailureWriter(HttpContext ctx, SimulatedGpu gpu, SimulatedFailureException failure);

/// <summary>
/// Runs a GPU route: finds the GPU (404 when unknown or when it serves another pipeline, as a runner that
/// mounts only its own route would), drops the connection while it is down, and turns simulated failures
/// into the API's error answer. A crash mid-answer aborts the connection.
/// </summary>
public static class GpuRoute
{
    public const string TimeScaleHeader = "X-Simulator-Time-Scale";

    public static async Task RunAsync(HttpContext ctx, string gpuId, Pipeline? pipeline, GpuHandler handler, FailureWriter onFailure)
    {
        var fleet = ctx.RequestServices.GetRequiredService<SimulatedFleet>();
        if (!fleet.TryGet(gpuId, out var gpu))
        {
            await RunnerResponses.Detail(ctx, 404, $"unknown GPU '{gpuId}'; this simulator has: {string.Join(", ", fleet.Gpus.Select(g => g.Id))}");
            return;
        }

        if (pipeline is not null && gpu.Config.Pipeline != pipeline)
        {
            await RunnerResponses.NotFound(ctx);
            return;
        }

        if (gpu.IsDown)
        {
            ctx.Abort();
            return;
        }

        ctx.Response.Headers[TimeScaleHeader] = fleet.Clock.TimeScale.ToString(CultureInfo.InvariantCulture);
        var stopping = ctx.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        try
        {
            await handler(ctx, gpu, cts.Token);
        }
        catch (GpuDownException)
        {
            ctx.Abort();
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // The client went away (nothing to answer) or the process is stopping (drop the connection).
            ctx.Abort();
        }
        catch (SimulatedFailureException failure) when (!ctx.Response.HasStarted)
        {
            await onFailure(ctx, gpu, failure);
        }
        catch (Exception) when (ctx.Response.HasStarted)
        {
            ctx.Abort();
        }
    }

    /// <summary>The bearer-token check (aiModels.json "token"); writes the 401 and returns false when it fails.</summary>
    public static async Task<bool> AuthorizedAsync(HttpContext ctx, SimulatedGpu gpu, bool period = true)
    {
        if (gpu.Config.AuthToken is not { } token)
        {
            return true;
        }

        var header = ctx.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim() == token)
        {
            return true;
        }

        await RunnerResponses.Unauthorized(ctx, period ? "Invalid bearer token." : "Invalid bearer token");
        return false;
    }

    /// <summary>The runner's model check: a non-empty id other than the loaded one gets 400.</summary>
    public static async Task<bool> ModelMatchesAsync(HttpContext ctx, SimulatedGpu gpu, string? requested, bool period = true)
    {
        if (string.IsNullOrEmpty(requested) || requested == gpu.Config.ModelId)
        {
            return true;
        }

        await RunnerResponses.Detail(ctx, 400, $"pipeline configured with {gpu.Config.ModelId} but called with {requested}{(period ? "." : "")}");
        return false;
    }
}
