using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines.Contracts;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Simulated.Gpus;
using LivepeerAspire.Runner.Simulated.Media;
using LivepeerAspire.Runner.Simulated.Timing;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>audio-to-text, segment-anything-2, image-to-text and text-to-speech.</summary>
public static class MediaEndpoints
{
    public const long MaxUploadBytes = 50L * 1024 * 1024;

    public static async Task AudioToTextAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var form = await FormBody.ReadAsync(ctx);
        var audio = form.File("audio");
        var modelId = form.Text("model_id");
        var timestamps = form.Text("return_timestamps") ?? "true";
        if (await form.RejectIfInvalidAsync(ctx)
            || !await GpuRoute.AuthorizedAsync(ctx, gpu)
            || !await GpuRoute.ModelMatchesAsync(ctx, gpu, modelId))
        {
            return;
        }

        if (audio!.Length > MaxUploadBytes)
        {
            await RunnerResponses.Detail(ctx, 413, "File size exceeds limit.");
            return;
        }

        var bytes = await FormBody.BytesAsync(audio, ct);
        double seconds;
        try
        {
            // The same measurement gateway and orchestrator priced the job with.
            seconds = await AudioToTextContract.SecondsAsync(JobInput.FromForm(new Dictionary<string, string>(), new Dictionary<string, byte[]> { ["audio"] = bytes }), ct);
        }
        catch (JobInputException e)
        {
            await RunnerResponses.Detail(ctx, 400, e.Message);
            return;
        }
        catch (MediaToolMissingException e)
        {
            await RunnerResponses.Detail(ctx, 500, e.Message);
            return;
        }

        await using var lease = await gpu.BeginAsync(new JobDemand { AudioSeconds = seconds }, ct);
        await lease.WorkAsync(ServiceTimes.Transcription(gpu.Config, seconds), ct);
        lease.Complete();
        await lease.DisposeAsync();

        // About 2.5 spoken words per second, one chunk per 5 seconds of audio.
        var key = FillerText.Hash(gpu.FleetSeed, bytes.Length.ToString(CultureInfo.InvariantCulture));
        var chunks = new List<TextChunk>();
        for (double start = 0; start < seconds; start += 5)
        {
            var end = Math.Min(seconds, start + 5);
            var words = Math.Max(1, (int)Math.Round((end - start) * 2.5));
            chunks.Add(new TextChunk([Math.Round(start, 2), Math.Round(end, 2)], FillerText.Sentence(key + (ulong)chunks.Count, words)));
        }

        var text = string.Join(" ", chunks.Select(c => c.Text));
        var noTimestamps = timestamps.Trim().ToLowerInvariant() is "false" or "0";
        RunnerResponses.SimulationHeaders(ctx, lease);
        await RunnerResponses.Json(ctx, new TextResponse(text, noTimestamps ? [] : chunks));
    }

    public static async Task SegmentAnything2Async(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var form = await FormBody.ReadAsync(ctx);
        var image = form.File("image");
        var modelId = form.Text("model_id");
        var multimask = form.Bool("multimask_output", true);
        form.Bool("return_logits", true);
        form.Bool("normalize_coords", true);
        if (await form.RejectIfInvalidAsync(ctx)
            || !await GpuRoute.AuthorizedAsync(ctx, gpu)
            || !await GpuRoute.ModelMatchesAsync(ctx, gpu, modelId))
        {
            return;
        }

        foreach (var name in new[] { "point_coords", "point_labels", "box", "mask_input" })
        {
            if (form.Text(name) is { Length: > 0 } json && JsonError(json) is { } error)
            {
                await RunnerResponses.Detail(ctx, 400, $"Error parsing JSON for {name}: {error}");
                return;
            }
        }

        var header = await ImageEndpoints.ImageHeaderAsync(ctx, image!, ct);
        if (header is null)
        {
            return;
        }

        await using var lease = await gpu.BeginAsync(new JobDemand { Pixels = header.Value.Pixels }, ct);
        await lease.WorkAsync(ServiceTimes.PerImage(gpu.Config), ct);
        lease.Complete();
        await lease.DisposeAsync();

        // Masks and logits at 1/64 of the image size (the real ones are full size), best score first.
        var count = multimask ? 3 : 1;
        var (h, w) = ((header.Value.Height + 63) / 64, (header.Value.Width + 63) / 64);
        var masks = PyList(count, h, w, (m, y, x) => (x + y + m) % 3 == 0 ? "1.0" : "0.0");
        var logits = PyList(count, h, w, (m, y, x) => (x + y + m) % 3 == 0 ? "4.5" : "-6.25");
        var scores = "[" + string.Join(", ", Enumerable.Range(0, count).Select(i => (0.95 - 0.17 * i).ToString("0.00", CultureInfo.InvariantCulture))) + "]";
        RunnerResponses.SimulationHeaders(ctx, lease);
        await RunnerResponses.Json(ctx, new MasksResponse(masks, scores, logits));
    }

    public static async Task ImageToTextAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var form = await FormBody.ReadAsync(ctx);
        var image = form.File("image");
        var modelId = form.Text("model_id");
        var prompt = form.Text("prompt") ?? "";
        if (await form.RejectIfInvalidAsync(ctx)
            || !await GpuRoute.AuthorizedAsync(ctx, gpu, period: false)
            || !await GpuRoute.ModelMatchesAsync(ctx, gpu, modelId, period: false))
        {
            return;
        }

        if (image!.Length > MaxUploadBytes)
        {
            await RunnerResponses.Detail(ctx, 413, "File size exceeds limit");
            return;
        }

        var header = await ImageEndpoints.ImageHeaderAsync(ctx, image, ct);
        if (header is null)
        {
            return;
        }

        await using var lease = await gpu.BeginAsync(new JobDemand { Pixels = header.Value.Pixels }, ct);
        await lease.WorkAsync(ServiceTimes.PerImage(gpu.Config), ct);
        lease.Complete();
        await lease.DisposeAsync();
        var key = FillerText.Hash(gpu.FleetSeed, $"{header.Value.Width}x{header.Value.Height}/{prompt}");
        var caption = (prompt.Length > 0 ? prompt.TrimEnd() + " " : "") + FillerText.Sentence(key, 8).ToLowerInvariant();
        RunnerResponses.SimulationHeaders(ctx, lease);
        await RunnerResponses.Json(ctx, new ImageToTextResponse(caption));
    }

    public static async Task TextToSpeechAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var req = await JsonBody.ReadAsync<TextToSpeechRequest>(ctx);
        if (req is null)
        {
            return;
        }

        if (string.IsNullOrEmpty(req.Text))
        {
            await RunnerResponses.Detail(ctx, 400, "Text input must be provided.");
            return;
        }

        if (!await GpuRoute.AuthorizedAsync(ctx, gpu) || !await GpuRoute.ModelMatchesAsync(ctx, gpu, req.ModelId, period: false))
        {
            return;
        }

        var seconds = ServiceTimes.SpeechSeconds(req.Text);
        await using var lease = await gpu.BeginAsync(new JobDemand { AudioSeconds = seconds }, ct);
        await lease.WorkAsync(ServiceTimes.Speech(gpu.Config, seconds), ct);
        lease.Complete();
        await lease.DisposeAsync();
        RunnerResponses.SimulationHeaders(ctx, lease);
        await RunnerResponses.Json(ctx, new AudioResponse(new AudioUrl(SyntheticWav.DataUrl(SyntheticWav.Tone(seconds)))));
    }

    private static string? JsonError(string json)
    {
        try
        {
            using var _ = JsonDocument.Parse(json);
            return null;
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>A Python-style str() of a count × h × w nested list.</summary>
    private static string PyList(int count, int h, int w, Func<int, int, int, string> value)
    {
        var sb = new StringBuilder("[");
        for (var m = 0; m < count; m++)
        {
            sb.Append(m > 0 ? ", [" : "[");
            for (var y = 0; y < h; y++)
            {
                sb.Append(y > 0 ? ", [" : "[");
                for (var x = 0; x < w; x++)
                {
                    sb.Append(x > 0 ? ", " : "").Append(value(m, y, x));
                }

                sb.Append(']');
            }

            sb.Append(']');
        }

        return sb.Append(']').ToString();
    }
}
