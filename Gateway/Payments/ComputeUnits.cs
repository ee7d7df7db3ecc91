using System.Text.RegularExpressions;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Payments;

/// <summary>
/// A job's size in two measures. <see cref="Paid"/> is what go-livepeer prepays (units × price = fee);
/// <see cref="Work"/> is the denominator of go-livepeer's AI latency score, so seconds / Work is the score and the
/// adaptive strategy's seconds per unit.
/// </summary>
public readonly record struct JobUnits(long Paid, double Work);

/// <summary>Units per pipeline in one place (server/ai_process.go submit* and the latency score table).</summary>
public static partial class ComputeUnits
{
    public const int ImageToVideoFrames = 25;

    /// <summary>text-to-image: h × w × images, gateway default 512 × 512 × 1; work × steps (default 50, Lightning: from the model id).</summary>
    public static JobUnits TextToImage(string modelId, int? height, int? width, int? images, int? steps)
    {
        var pixels = (long)(height is > 0 ? height.Value : 512) * (width is > 0 ? width.Value : 512) * Math.Max(1, images ?? 1);
        return new JobUnits(pixels, pixels * Steps(PipelineCatalog.TextToImage, modelId, steps));
    }

    /// <summary>image-to-image: input h × w × images; work × steps (default 100).</summary>
    public static JobUnits ImageToImage(string modelId, long inputPixels, int? images, int? steps)
    {
        var pixels = inputPixels * Math.Max(1, images ?? 1);
        return new JobUnits(pixels, pixels * Steps(PipelineCatalog.ImageToImage, modelId, steps));
    }

    /// <summary>image-to-video: h × w × 25 frames (defaults 576 × 1024); work × steps (default 25).</summary>
    public static JobUnits ImageToVideo(int? height, int? width, int? steps)
    {
        var pixels = (long)(height is > 0 ? height.Value : 576) * (width is > 0 ? width.Value : 1024) * ImageToVideoFrames;
        return new JobUnits(pixels, pixels * (double)(steps is > 0 ? steps.Value : PipelineCatalog.ImageToVideo.DefaultLatencySteps));
    }

    /// <summary>upscale: input h × w; work × steps (default 75).</summary>
    public static JobUnits Upscale(long inputPixels, int? steps) =>
        new(inputPixels, inputPixels * (double)(steps is > 0 ? steps.Value : PipelineCatalog.Upscale.DefaultLatencySteps));

    /// <summary>segment-anything-2 and image-to-text: input h × w.</summary>
    public static JobUnits InputPixels(long inputPixels) => new(inputPixels, inputPixels);

    /// <summary>audio-to-text: whole seconds × 1000 paid; work in seconds.</summary>
    public static JobUnits AudioToText(double durationSeconds) =>
        new((long)Math.Floor(durationSeconds) * 1000, Math.Max(durationSeconds, 0.001));

    /// <summary>llm: max_tokens paid; work in tokens (afterwards the reported total_tokens).</summary>
    public static JobUnits Llm(int maxTokens) => new(maxTokens, maxTokens);

    /// <summary>text-to-speech: UTF-8 bytes, as the go-livepeer gateway counts them.</summary>
    public static JobUnits TextToSpeech(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        return new JobUnits(bytes, Math.Max(1, bytes));
    }

    private static double Steps(Pipeline pipeline, string modelId, int? steps)
    {
        if (modelId.StartsWith("ByteDance/SDXL-Lightning", StringComparison.Ordinal))
        {
            var match = LightningSteps().Match(modelId);
            return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 8;
        }

        return steps is > 0 ? steps.Value : pipeline.DefaultLatencySteps;
    }

    [GeneratedRegex(@"_(\d+)step")]
    private static partial Regex LightningSteps();
}
