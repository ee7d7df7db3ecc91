using System.Text;
using System.Text.Json;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Protocol.Pricing;

/// <summary>
/// How many price units a job costs, as go-livepeer's gateway prepays and its orchestrator debits
/// (server/ai_process.go, server/ai_http.go). Both sides of this project use these same functions.
/// </summary>
public static class PipelineUnits
{
    public const int ImageToVideoFrames = 25;
    public const int DefaultTextToImageSize = 512;
    public const int DefaultVideoHeight = 576;
    public const int DefaultVideoWidth = 1024;

    /// <summary>text-to-image: height × width × num_images_per_prompt (defaults 512 × 512 × 1; fewer than 1 image counts as 1).</summary>
    public static long TextToImage(int? height, int? width, int? numImages) =>
        checked((long)Positive(height, DefaultTextToImageSize, "height") * Positive(width, DefaultTextToImageSize, "width") * Math.Max(1, numImages ?? 1));

    /// <summary>image-to-image: input image height × width × num_images_per_prompt.</summary>
    public static long ImageToImage(ImageHeader input, int? numImages) => checked(input.Pixels * Math.Max(1, numImages ?? 1));

    /// <summary>image-to-video: height × width × 25 frames (defaults 576 × 1024).</summary>
    public static long ImageToVideo(int? height, int? width) =>
        checked((long)Positive(height, DefaultVideoHeight, "height") * Positive(width, DefaultVideoWidth, "width") * ImageToVideoFrames);

    /// <summary>upscale, segment-anything-2, image-to-text: input image height × width.</summary>
    public static long InputImage(ImageHeader input) => input.Pixels;

    /// <summary>audio-to-text: whole seconds × 1000. A duration that is not positive is a 400 "Unable to calculate duration".</summary>
    public static long AudioToText(double durationSeconds)
    {
        if (!(durationSeconds > 0) || double.IsInfinity(durationSeconds))
        {
            throw new UnitsException("Unable to calculate duration");
        }

        return checked((long)Math.Floor(durationSeconds) * 1000);
    }

    /// <summary>llm: max_tokens, required (go-livepeer's orchestrator answers 400 "MaxTokens not specified").</summary>
    public static long Llm(int? maxTokens)
    {
        if (maxTokens is not > 0)
        {
            throw new UnitsException("MaxTokens not specified");
        }

        return maxTokens.Value;
    }

    /// <summary>
    /// text-to-speech: UTF-8 bytes of <c>text</c> on both sides. go-livepeer's gateway prepays bytes while its
    /// orchestrator debits 1000 × runes; this project uses the gateway's unit for both, so credit and debit agree.
    /// </summary>
    public static long TextToSpeech(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new UnitsException("text is required");
        }

        return Encoding.UTF8.GetByteCount(text);
    }

    /// <summary>Units for the JSON-bodied pipelines (text-to-image, image-to-video parameters aside, llm, text-to-speech) from the request body.</summary>
    public static long FromJsonBody(Pipeline pipeline, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new UnitsException("request body must be a JSON object");
        }

        return pipeline.Name switch
        {
            "text-to-image" => TextToImage(Int(body, "height"), Int(body, "width"), Int(body, "num_images_per_prompt")),
            "llm" => Llm(Int(body, "max_tokens")),
            "text-to-speech" => TextToSpeech(body.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null),
            _ => throw new ArgumentException($"{pipeline.Name} is priced from its multipart fields, not a JSON body", nameof(pipeline)),
        };
    }

    private static int Positive(int? value, int fallback, string name)
    {
        var v = value ?? fallback;
        if (v <= 0)
        {
            throw new UnitsException($"{name} must be a positive integer, got {v}");
        }

        return v;
    }

    private static int? Int(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var i))
        {
            throw new UnitsException($"{name} must be an integer, got {value.GetRawText()}");
        }

        return i;
    }
}

/// <summary>A request whose price units cannot be computed; the message is the 400 body text.</summary>
public sealed class UnitsException(string message) : Exception(message);
