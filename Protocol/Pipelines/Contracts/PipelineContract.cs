using System.Globalization;
using System.Text.RegularExpressions;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Pipelines.Contracts;

/// <summary>
/// One pipeline's request contract, called by gateway, orchestrator and simulator alike: which fields it takes,
/// their defaults and limits, the checks (in the ai-runner's wording where it has one), the units a job is priced
/// in (go-livepeer's server/ai_process.go and ai_http.go) and the fee. Unknown fields are accepted and passed on,
/// as the ai-runner's FastAPI models ignore extra members.
/// </summary>
public abstract partial class PipelineContract
{
    /// <summary>This project's limit on an image side (input or output); diffusers models run out of memory long before.</summary>
    public const int MaxSide = 4096;

    public const int MaxImagesPerPrompt = 16;

    public const int MaxInferenceSteps = 1000;

    public abstract Pipeline Pipeline { get; }

    /// <summary>The field that names the model: <c>model</c> for llm (OpenAI's shape), <c>model_id</c> elsewhere.</summary>
    public virtual string ModelField => "model_id";

    /// <summary>
    /// Fields go-livepeer's gateway fills in before it prices and forwards a job (text-to-image's 512 × 512), so the
    /// orchestrator and the runner see the size that was paid for.
    /// </summary>
    public virtual IReadOnlyDictionary<string, int> GatewayDefaults { get; } = new Dictionary<string, int>();

    /// <summary>Fields go-livepeer's gateway requires beyond what the orchestrator checks (llm's <c>stream</c>).</summary>
    public virtual IReadOnlyList<string> GatewayRequiredFields { get; } = [];

    /// <summary>The gateway's extra check: every field of <see cref="GatewayRequiredFields"/> present, all missing ones named at once.</summary>
    public void CheckGatewayFields(JobInput input)
    {
        var missing = GatewayRequiredFields.Where(f => !input.Has(f)).ToList();
        if (input.Element("messages") is { ValueKind: System.Text.Json.JsonValueKind.Array } messages && messages.GetArrayLength() == 0 && GatewayRequiredFields.Contains("messages"))
        {
            missing.Add("messages (empty)");
        }

        if (missing.Count > 0)
        {
            throw new JobInputException(missing[0], $"missing required fields: {string.Join(", ", missing)}");
        }
    }

    /// <summary>Checks the request and measures it. Throws <see cref="JobInputException"/> naming the field and the limit.</summary>
    public abstract ValueTask<JobUnits> MeasureAsync(JobInput input, string modelId, CancellationToken cancellationToken);

    /// <summary>go-livepeer's estimateAIFee / DebitFees: units × price, exactly.</summary>
    public BigRational Fee(JobUnits units, PriceInfo price) => Fees.Fee(units.Paid, price);

    private static readonly Dictionary<Pipeline, PipelineContract> Contracts = new PipelineContract[]
    {
        new TextToImageContract(), new ImageToImageContract(), new ImageToVideoContract(), new UpscaleContract(),
        new AudioToTextContract(), new SegmentAnything2Contract(), new LlmContract(), new ImageToTextContract(),
        new TextToSpeechContract(),
    }.ToDictionary(c => c.Pipeline);

    public static PipelineContract For(Pipeline pipeline) => Contracts[pipeline];

    protected static string RequireText(JobInput input, string name, string message)
    {
        var text = input.String(name);
        return string.IsNullOrWhiteSpace(text) ? throw new JobInputException(name, message) : text;
    }

    /// <summary>A positive integer field up to <paramref name="max"/>, or its default when absent.</summary>
    protected static int Bounded(JobInput input, string name, int fallback, int max)
    {
        var value = input.Int(name) ?? fallback;
        return value < 1 || value > max
            ? throw new JobInputException(name, $"{name} must be between 1 and {max} (got {value})")
            : value;
    }

    /// <summary>num_images_per_prompt: go-livepeer's gateway counts fewer than one as one.</summary>
    protected static int Images(JobInput input)
    {
        var value = Math.Max(1, input.Int("num_images_per_prompt") ?? 1);
        return value > MaxImagesPerPrompt
            ? throw new JobInputException("num_images_per_prompt", $"num_images_per_prompt must be at most {MaxImagesPerPrompt} (got {value})")
            : value;
    }

    /// <summary>The uploaded image's header, read and checked by <see cref="ImageHeader.Read"/>.</summary>
    protected static ImageHeader Image(JobInput input, string part = "image")
    {
        var data = input.File(part);
        if (data is null)
        {
            throw new JobInputException(part, $"{part} is required: send the image file as the form part '{part}'");
        }

        try
        {
            return ImageHeader.Read(part, data, MaxSide);
        }
        catch (MediaException e)
        {
            throw new JobInputException(part, e.Message);
        }
    }

    /// <summary>Denoising steps for the latency score: the request's, the model's (SDXL-Lightning's id names them) or the pipeline's default.</summary>
    protected double Steps(JobInput input, string modelId)
    {
        if (modelId.StartsWith("ByteDance/SDXL-Lightning", StringComparison.Ordinal))
        {
            var match = LightningSteps().Match(modelId);
            return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 8;
        }

        return input.Int("num_inference_steps") is { } steps and > 0 ? steps : Pipeline.DefaultLatencySteps;
    }

    [GeneratedRegex(@"_(\d+)step")]
    private static partial Regex LightningSteps();
}
