namespace LivepeerAspire.Protocol.Pipelines.Contracts;

/// <summary>text-to-image: prompt required; units height × width × images (go-livepeer's gateway fills 512 × 512).</summary>
public sealed class TextToImageContract : PipelineContract
{
    public const int GatewayDefaultSize = 512;

    /// <summary>The ai-runner's own defaults when a request reaches it without a size.</summary>
    public const int RunnerDefaultHeight = 576;

    public const int RunnerDefaultWidth = 1024;

    public override Pipeline Pipeline => PipelineCatalog.TextToImage;

    public override IReadOnlyDictionary<string, int> GatewayDefaults { get; } =
        new Dictionary<string, int> { ["height"] = GatewayDefaultSize, ["width"] = GatewayDefaultSize };

    public override ValueTask<JobUnits> MeasureAsync(JobInput input, string modelId, CancellationToken cancellationToken)
    {
        RequireText(input, "prompt", "prompt is required: Prompt must be provided.");
        var pixels = (long)Bounded(input, "height", GatewayDefaultSize, MaxSide) * Bounded(input, "width", GatewayDefaultSize, MaxSide) * Images(input);
        return ValueTask.FromResult(new JobUnits(pixels, pixels * Steps(input, modelId)));
    }
}

/// <summary>image-to-image: prompt and image required; units input height × width × images.</summary>
public sealed class ImageToImageContract : PipelineContract
{
    public override Pipeline Pipeline => PipelineCatalog.ImageToImage;

    public override ValueTask<JobUnits> MeasureAsync(JobInput input, string modelId, CancellationToken cancellationToken)
    {
        var image = Image(input);
        RequireText(input, "prompt", "prompt is required");
        var pixels = image.Pixels * Images(input);
        return ValueTask.FromResult(new JobUnits(pixels, pixels * Steps(input, modelId)));
    }
}

/// <summary>image-to-video: image required; units height × width × 25 frames (defaults 576 × 1024 on every side).</summary>
public sealed class ImageToVideoContract : PipelineContract
{
    public const int Frames = 25;
    public const int DefaultHeight = 576;
    public const int DefaultWidth = 1024;

    public override Pipeline Pipeline => PipelineCatalog.ImageToVideo;

    public override ValueTask<JobUnits> MeasureAsync(JobInput input, string modelId, CancellationToken cancellationToken)
    {
        Image(input);
        var pixels = (long)Bounded(input, "height", DefaultHeight, MaxSide) * Bounded(input, "width", DefaultWidth, MaxSide) * Frames;
        return ValueTask.FromResult(new JobUnits(pixels, pixels * Steps(input, modelId)));
    }
}

/// <summary>upscale: prompt and image required; units the input's height × width.</summary>
public sealed class UpscaleContract : PipelineContract
{
    public override Pipeline Pipeline => PipelineCatalog.Upscale;

    public override ValueTask<JobUnits> MeasureAsync(JobInput input, string modelId, CancellationToken cancellationToken)
    {
        var image = Image(input);
        RequireText(input, "prompt", "prompt is required");
        return ValueTask.FromResult(new JobUnits(image.Pixels, image.Pixels * Steps(input, modelId)));
    }
}

/// <summary>segment-anything-2: image required; units the input's height × width.</summary>
public sealed class SegmentAnything2Contract : PipelineContract
{
    public override Pipeline Pipeline => PipelineCatalog.SegmentAnything2;

    public override ValueTask<JobUnits> MeasureAsync(JobInput input, string modelId, CancellationToken cancellationToken)
    {
        var image = Image(input);
        return ValueTask.FromResult(new JobUnits(image.Pixels, image.Pixels));
    }
}

/// <summary>image-to-text: image required; units the input's height × width.</summary>
public sealed class ImageToTextContract : PipelineContract
{
    public override Pipeline Pipeline => PipelineCatalog.ImageToText;

    public override ValueTask<JobUnits> MeasureAsync(JobInput input, string modelId, CancellationToken cancellationToken)
    {
        var image = Image(input);
        return ValueTask.FromResult(new JobUnits(image.Pixels, image.Pixels));
    }
}
