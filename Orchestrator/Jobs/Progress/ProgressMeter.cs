using System.Text.Json;
using LivepeerAspire.Orchestrator.Payments;
using LivepeerAspire.Protocol.Progress;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Orchestrator.Jobs.Progress;

/// <summary>
/// Where YARP writes the runner's progress stream: cuts it into events, meters chunks and relays each event to the
/// gateway with the accounting added. At the end of each chunk the chunk must be paid (waiting up to
/// Orchestrator:ProgressPaymentGrace); it is then debited once. When it is not, the meter sends an error event, cancels
/// the runner's request (the GPU is freed) and swallows the rest. A <c>result</c> is passed on only after every chunk
/// was paid and debited.
/// </summary>
internal sealed class ProgressMeter(
    HttpContext gateway,
    ProgressJob job,
    IPaymentReceiver payments,
    TimeProvider time,
    TimeSpan grace,
    CancellationTokenSource runner) : WriteOnlyStream
{
    private readonly SseEventReader reader = new();

    /// <summary>The runner answered with an event stream (the first bytes have been seen).</summary>
    public bool Streaming { get; private set; }

    /// <summary>The result reached the gateway.</summary>
    public bool Completed { get; private set; }

    /// <summary>Why the meter stopped the job, when it did.</summary>
    public string? Stopped { get; private set; }

    public HttpContext? Runner { get; set; }

    /// <summary>The runner refused the job with an error answer, which is relayed as it is.</summary>
    public bool Refused { get; private set; }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Stopped is not null || Completed)
        {
            return;
        }

        if (!Streaming && Runner is { Response.StatusCode: not 200 } refusal)
        {
            if (!Refused)
            {
                Refused = true;
                gateway.Response.StatusCode = refusal.Response.StatusCode;
                gateway.Response.ContentType = refusal.Response.ContentType;
            }

            await gateway.Response.Body.WriteAsync(buffer, gateway.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!Streaming)
        {
            if (Runner is { } answer && answer.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) != true)
            {
                await StopAsync($"{job.Model.Pipeline.Name} runner answered without progress events (status {answer.Response.StatusCode}, {answer.Response.ContentType})", 502).ConfigureAwait(false);
                return;
            }

            Streaming = true;
            gateway.Response.StatusCode = 200;
            gateway.Response.ContentType = "text/event-stream";
            gateway.Response.Headers.CacheControl = "no-cache";
            gateway.Response.Headers[ProgressHeaders.Progress] = job.ChunkSteps.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var e in reader.Feed(buffer.Span))
        {
            if (Stopped is not null || Completed)
            {
                return;
            }

            await OnEventAsync(e).ConfigureAwait(false);
        }
    }

    private async Task OnEventAsync(SseEvent e)
    {
        switch (e.Name)
        {
            case ProgressHeaders.EventProgress:
                ProgressEvent? progress;
                try
                {
                    progress = JsonSerializer.Deserialize<ProgressEvent>(e.Data, WireJson.Options);
                }
                catch (JsonException)
                {
                    progress = null;
                }

                if (progress is null || progress.TotalSteps < 1 || progress.Step < 0 || progress.Step > progress.TotalSteps
                    || (job.Chunks is { } known && known.TotalSteps != progress.TotalSteps))
                {
                    await StopAsync($"{job.Model.Pipeline.Name} runner sent an invalid progress event: {e.Data}", 502).ConfigureAwait(false);
                    return;
                }

                job.Start(progress.TotalSteps);
                var chunks = job.Chunks!.Value;
                if (chunks.EndsChunk(progress.Step))
                {
                    var chunk = chunks.DeliveredAt(progress.Step);
                    if (!await job.WaitPaidAsync(chunk, grace, time, gateway.RequestAborted).ConfigureAwait(false))
                    {
                        await StopAsync($"payment for chunk {chunk} of {chunks.Count} did not arrive within {grace.TotalSeconds:0.###} s; the job was stopped after {job.Delivered} paid chunks", 402).ConfigureAwait(false);
                        return;
                    }

                    if (job.Deliver(chunk) is { } paid)
                    {
                        payments.DebitFees(paid.Context, paid.Decision);
                    }
                }

                var relayed = progress with { Chunk = chunks.DeliveredAt(progress.Step), Chunks = chunks.Count, PaidChunks = job.Paid };
                await SendAsync(ProgressHeaders.EventProgress, JsonSerializer.Serialize(relayed, WireJson.Options)).ConfigureAwait(false);
                return;
            case ProgressHeaders.EventResult:
                if (job.Chunks is not { } all || job.Delivered < all.Count)
                {
                    await StopAsync($"{job.Model.Pipeline.Name} runner sent its result before the last chunk was delivered", 502).ConfigureAwait(false);
                    return;
                }

                await SendAsync(e.Name, e.Data).ConfigureAwait(false);
                Completed = true;
                return;
            default:
                await SendAsync(e.Name, e.Data).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Stops the job: the error event (or, before the stream started, an error answer), then the runner's request is cancelled.</summary>
    public async Task StopAsync(string reason, int status)
    {
        Stopped = reason;
        try
        {
            if (gateway.Response.HasStarted || Streaming)
            {
                await SendAsync(ProgressHeaders.EventError, JsonSerializer.Serialize(RunnerError.Of(reason), WireJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await JobErrors.WriteAsync(gateway, status, reason).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The gateway is gone; nothing more can reach it.
        }

        await runner.CancelAsync().ConfigureAwait(false);
    }

    private async Task SendAsync(string name, string data)
    {
        await gateway.Response.Body.WriteAsync(SseEventReader.Format(name, data), gateway.RequestAborted).ConfigureAwait(false);
        await gateway.Response.Body.FlushAsync(gateway.RequestAborted).ConfigureAwait(false);
    }
}
