using System.Globalization;
using System.Text.Json;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Progress;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Simulated.Gpus;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>
/// A diffusion job's denoising steps, waited on the lease either in one go (plain request/response) or one step at a
/// time with a progress event after each when the caller sent <c>Accept: text/event-stream</c> (the proposed
/// ai-runner extension, docs/orchestrator.md § Pay per progress). Each step takes the job's service time ÷ n, so
/// noise, the slow fault and CPU offload slow every step alike; the stream starts (step 0) once the job holds the GPU.
/// </summary>
internal sealed class StepProgress
{
    /// <summary>A preview every this many steps; advertised in /version.</summary>
    public const int PreviewEvery = 5;

    private readonly HttpContext ctx;
    private readonly int totalSteps;
    private readonly (int Width, int Height, long Seed) preview;
    private int done;
    private long startedTimestamp;

    private StepProgress(HttpContext ctx, int totalSteps, (int, int, long) preview)
    {
        this.ctx = ctx;
        this.totalSteps = totalSteps;
        this.preview = preview;
    }

    public bool Streaming { get; private set; }

    public static RunnerProgressSupport Support { get; } = new("step", PreviewEvery);

    /// <summary>A run of <paramref name="totalSteps"/> steps; streamed when the request asked for events.</summary>
    public static StepProgress For(HttpContext ctx, int totalSteps, int width, int height, long seed) =>
        new(ctx, Math.Max(1, totalSteps), (width, height, seed)) { Streaming = Wanted(ctx.Request) };

    public static bool Wanted(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));

    /// <summary>Waits <paramref name="steps"/> of this run's steps, each <paramref name="perStep"/> of nominal service time.</summary>
    public async Task WorkAsync(GpuLease lease, TimeSpan perStep, int steps, CancellationToken ct)
    {
        if (!Streaming)
        {
            await lease.WorkAsync(perStep * steps, ct);
            done += steps;
            return;
        }

        if (startedTimestamp == 0)
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "text/event-stream";
            ctx.Response.Headers.CacheControl = "no-cache";
            startedTimestamp = lease.Clock.Time.GetTimestamp();
            await WriteAsync(lease, 0, ct);
        }

        for (var i = 0; i < steps; i++)
        {
            await lease.WorkAsync(perStep, ct);
            done++;
            await WriteAsync(lease, done, ct);
        }
    }

    /// <summary>The job's answer: the JSON body, or the <c>result</c> event that ends the stream.</summary>
    public async Task ResultAsync<T>(GpuLease lease, T value)
    {
        if (!Streaming)
        {
            RunnerResponses.SimulationHeaders(ctx, lease);
            await RunnerResponses.Json(ctx, value);
            return;
        }

        await ctx.Response.Body.WriteAsync(SseEventReader.Format(ProgressHeaders.EventResult, JsonSerializer.Serialize(value, WireJson.Options)));
        await ctx.Response.Body.FlushAsync();
    }

    private async Task WriteAsync(GpuLease lease, int step, CancellationToken ct)
    {
        var elapsed = lease.Clock.ToSimulated(lease.Clock.Time.GetElapsedTime(startedTimestamp));
        var withPreview = step > 0 && step % PreviewEvery == 0;
        var e = new ProgressEvent
        {
            Step = step,
            TotalSteps = totalSteps,
            ElapsedMs = (long)elapsed.TotalMilliseconds,
            Preview = withPreview ? PreviewPng(step) : null,
        };
        await ctx.Response.Body.WriteAsync(SseEventReader.Format(ProgressHeaders.EventProgress, JsonSerializer.Serialize(e, WireJson.Options)), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    /// <summary>A low-resolution image (64 px wide) of the current seed and step, as a TAESD decode would give.</summary>
    private string PreviewPng(int step)
    {
        var height = Math.Max(8, (int)Math.Round(64.0 * preview.Height / Math.Max(1, preview.Width) / 8) * 8);
        return SyntheticPng.DataUrl(SyntheticPng.Encode(64, height, preview.Seed, step));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{done}/{totalSteps}");
}
