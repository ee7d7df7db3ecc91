using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines.Contracts;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Simulated.Gpus;
using LivepeerAspire.Runner.Simulated.Media;
using LivepeerAspire.Runner.Simulated.Timing;
using WireMedia = LivepeerAspire.Protocol.Wire.Media;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>The diffusion routes: text-to-image, image-to-image, upscale and image-to-video.</summary>
public static class ImageEndpoints
{
    public const int MaxSide = PipelineContract.MaxSide;
    public const int MaxImagesPerPrompt = PipelineContract.MaxImagesPerPrompt;

    public static async Task TextToImageAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var req = await JsonBody.ReadAsync<TextToImageRequest>(ctx, "prompt");
        if (req is null)
        {
            return;
        }

        if (string.IsNullOrEmpty(req.Prompt))
        {
            await RunnerResponses.Detail(ctx, 400, "Prompt must be provided.");
            return;
        }

        if (!await GpuRoute.AuthorizedAsync(ctx, gpu) || !await GpuRoute.ModelMatchesAsync(ctx, gpu, req.ModelId))
        {
            return;
        }

        var width = req.Width ?? TextToImageContract.RunnerDefaultWidth;
        var height = req.Height ?? TextToImageContract.RunnerDefaultHeight;
        var steps = req.NumInferenceSteps ?? 50;
        var count = req.NumImagesPerPrompt ?? 1;
        if (await SizeRejectedAsync(ctx, width, height) || await CountsRejectedAsync(ctx, steps, count))
        {
            return;
        }

        await RenderImagesAsync(ctx, gpu, width, height, steps, count, req.Seed, ct);
    }

    public static async Task ImageToImageAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var form = await FormBody.ReadAsync(ctx);
        var prompt = form.Text("prompt", required: true);
        var image = form.File("image");
        var modelId = form.Text("model_id");
        var strength = form.Double("strength", 0.8);
        var steps = form.Int("num_inference_steps", 100);
        var count = form.Int("num_images_per_prompt", 1);
        var seed = form.Long("seed");
        form.Double("guidance_scale", 7.5);
        form.Double("image_guidance_scale", 1.5);
        form.Bool("safety_check", true);
        if (await form.RejectIfInvalidAsync(ctx))
        {
            return;
        }

        var header = await PromptedImageAsync(ctx, gpu, prompt, modelId, image!, ct);
        if (header is null || await CountsRejectedAsync(ctx, steps, count))
        {
            return;
        }

        if (strength is < 0 or > 1)
        {
            await RunnerResponses.Detail(ctx, 400, $"The value of strength should in [0.0, 1.0] but is {strength}");
            return;
        }

        // diffusers img2img runs steps × strength denoising steps on an image of the input's size.
        var effective = Math.Max(1, (int)(steps * strength));
        await RenderImagesAsync(ctx, gpu, header.Value.Width, header.Value.Height, effective, count, seed, ct);
    }

    public static async Task UpscaleAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var form = await FormBody.ReadAsync(ctx);
        var prompt = form.Text("prompt", required: true);
        var image = form.File("image");
        var modelId = form.Text("model_id");
        var steps = form.Int("num_inference_steps", 75);
        var seed = form.Long("seed");
        form.Bool("safety_check", true);
        if (await form.RejectIfInvalidAsync(ctx))
        {
            return;
        }

        var header = await PromptedImageAsync(ctx, gpu, prompt, modelId, image!, ct);
        if (header is null || await CountsRejectedAsync(ctx, steps, 1))
        {
            return;
        }

        var factor = gpu.Config.Model.UpscaleFactor ?? 4;
        var (w, h) = (header.Value.Width * factor, header.Value.Height * factor);
        if (await SizeRejectedAsync(ctx, w, h))
        {
            return;
        }

        var seedValue = seed ?? gpu.NextContent(1L << 32);
        await using var lease = await gpu.BeginAsync(new JobDemand { Pixels = header.Value.Pixels }, ct);
        var n = Steps(gpu, steps);
        var progress = StepProgress.For(ctx, n, w, h, seedValue);
        await progress.WorkAsync(lease, ServiceTimes.Diffusion(gpu.Config, steps, header.Value.Pixels) / n, n, ct);
        lease.Complete();
        await lease.DisposeAsync();
        await progress.ResultAsync(lease, new ImageResponse([new WireMedia(SyntheticPng.DataUrl(SyntheticPng.Encode(w, h, seedValue)), seedValue, false)]));
    }

    public static async Task ImageToVideoAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var form = await FormBody.ReadAsync(ctx);
        var image = form.File("image");
        var modelId = form.Text("model_id");
        var height = form.Int("height", ImageToVideoContract.DefaultHeight);
        var width = form.Int("width", ImageToVideoContract.DefaultWidth);
        var steps = form.Int("num_inference_steps", 25);
        var seed = form.Long("seed");
        form.Int("fps", 6);
        form.Int("motion_bucket_id", 127);
        form.Double("noise_aug_strength", 0.02);
        form.Bool("safety_check", true);
        if (await form.RejectIfInvalidAsync(ctx))
        {
            return;
        }

        if (!await GpuRoute.AuthorizedAsync(ctx, gpu) || !await GpuRoute.ModelMatchesAsync(ctx, gpu, modelId))
        {
            return;
        }

        if (await SizeRejectedAsync(ctx, width, height) || await CountsRejectedAsync(ctx, steps, 1)
            || await ImageHeaderAsync(ctx, image!, ct) is null)
        {
            return;
        }

        var seedValue = seed ?? gpu.NextContent(1L << 32);
        var pixels = (long)width * height;
        await using var lease = await gpu.BeginAsync(new JobDemand { Pixels = pixels }, ct);
        var n = Steps(gpu, steps);
        var progress = StepProgress.For(ctx, n, width, height, seedValue);
        await progress.WorkAsync(lease, ServiceTimes.Diffusion(gpu.Config, steps, pixels) / n, n, ct);
        lease.Complete();
        await lease.DisposeAsync();

        var frames = Enumerable.Range(0, gpu.Config.Model.Frames ?? 25)
            .Select(i => new WireMedia(SyntheticPng.DataUrl(SyntheticPng.Encode(width, height, seedValue, i)), seedValue, false))
            .ToList();
        await progress.ResultAsync(lease, new VideoResponse([frames]));
    }

    /// <summary>The checks image-to-image and upscale share, in the runner's order: prompt, token and model, then the upload.</summary>
    private static async Task<ImageHeader?> PromptedImageAsync(
        HttpContext ctx, SimulatedGpu gpu, string? prompt, string? modelId, IFormFile image, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(prompt))
        {
            await RunnerResponses.Detail(ctx, 400, "Prompt must be provided.");
            return null;
        }

        if (!await GpuRoute.AuthorizedAsync(ctx, gpu) || !await GpuRoute.ModelMatchesAsync(ctx, gpu, modelId))
        {
            return null;
        }

        return await ImageHeaderAsync(ctx, image, ct);
    }

    private static async Task RenderImagesAsync(HttpContext ctx, SimulatedGpu gpu, int width, int height, int steps, int count, long? seed, CancellationToken ct)
    {
        var first = seed ?? gpu.NextContent(1L << 32);
        var pixels = (long)width * height;
        await using var lease = await gpu.BeginAsync(new JobDemand { Pixels = pixels * count }, ct);
        var perImage = ServiceTimes.Diffusion(gpu.Config, steps, pixels);
        var n = Steps(gpu, steps);
        var progress = StepProgress.For(ctx, n * count, width, height, first);

        // The runner makes one image at a time (seeds seed, seed+1, …) to avoid CUDA out-of-memory.
        for (var i = 0; i < count; i++)
        {
            await progress.WorkAsync(lease, perImage / n, n, ct);
        }

        lease.Complete();
        await lease.DisposeAsync();
        var images = Enumerable.Range(0, count)
            .Select(i => new WireMedia(SyntheticPng.DataUrl(SyntheticPng.Encode(width, height, first + i)), first + i, false))
            .ToList();
        await progress.ResultAsync(lease, new ImageResponse(images));
    }

    /// <summary>The denoising steps the GPU's model runs: its fixed steps (Turbo/Lightning) win over the requested ones.</summary>
    private static int Steps(SimulatedGpu gpu, int requested) => gpu.Config.Model.FixedSteps ?? Math.Max(1, requested);

    /// <summary>diffusers refuses sizes that are not multiples of 8; very large sizes are refused here before they run out of memory.</summary>
    private static async Task<bool> SizeRejectedAsync(HttpContext ctx, int width, int height)
    {
        if (width % 8 != 0 || height % 8 != 0)
        {
            await RunnerResponses.Detail(ctx, 400, $"`height` and `width` have to be divisible by 8 but are {height} and {width}.");
            return true;
        }

        if (width < 8 || height < 8 || width > MaxSide || height > MaxSide)
        {
            await RunnerResponses.Detail(ctx, 400, $"`height` and `width` must be between 8 and {MaxSide} but are {height} and {width}.");
            return true;
        }

        return false;
    }

    private static async Task<bool> CountsRejectedAsync(HttpContext ctx, int steps, int count)
    {
        if (steps < 1 || steps > PipelineContract.MaxInferenceSteps)
        {
            await RunnerResponses.Detail(ctx, 400, $"num_inference_steps must be between 1 and {PipelineContract.MaxInferenceSteps} but is {steps}.");
            return true;
        }

        if (count < 1 || count > MaxImagesPerPrompt)
        {
            await RunnerResponses.Detail(ctx, 400, $"num_images_per_prompt must be between 1 and {MaxImagesPerPrompt} but is {count}.");
            return true;
        }

        return false;
    }

    /// <summary>Reads the uploaded image's size with the shared reader; a file that is not a complete image within the limits gets 400.</summary>
    internal static async Task<ImageHeader?> ImageHeaderAsync(HttpContext ctx, IFormFile image, CancellationToken ct)
    {
        var bytes = await FormBody.BytesAsync(image, ct);
        try
        {
            return ImageHeader.Read("image", bytes, PipelineContract.MaxSide);
        }
        catch (MediaException e)
        {
            await RunnerResponses.Detail(ctx, 400, e.Message);
            return null;
        }
    }
}
