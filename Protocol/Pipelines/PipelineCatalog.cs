using System.Diagnostics.CodeAnalysis;

namespace LivepeerAspire.Protocol.Pipelines;

/// <summary>
/// The batch pipelines of the Livepeer AI network. Capability ids and default model ids are go-livepeer's
/// (core/capabilities.go, server/ai_process.go); default steps are those its latency score assumes.
/// </summary>
public static class PipelineCatalog
{
    public static readonly Pipeline TextToImage = new("text-to-image", 27, "stabilityai/sdxl-turbo", RequestBodyKind.Json, 50);
    public static readonly Pipeline ImageToImage = new("image-to-image", 28, "stabilityai/sdxl-turbo", RequestBodyKind.Multipart, 100);
    public static readonly Pipeline ImageToVideo = new("image-to-video", 29, "stabilityai/stable-video-diffusion-img2vid-xt", RequestBodyKind.Multipart, 25);
    public static readonly Pipeline Upscale = new("upscale", 30, "stabilityai/stable-diffusion-x4-upscaler", RequestBodyKind.Multipart, 75);
    public static readonly Pipeline AudioToText = new("audio-to-text", 31, "openai/whisper-large-v3", RequestBodyKind.Multipart, 1);
    public static readonly Pipeline SegmentAnything2 = new("segment-anything-2", 32, "facebook/sam2-hiera-large", RequestBodyKind.Multipart, 1);
    public static readonly Pipeline Llm = new("llm", 33, "meta-llama/llama-3.1-8B-Instruct", RequestBodyKind.Json, 1);
    public static readonly Pipeline ImageToText = new("image-to-text", 34, "Salesforce/blip-image-captioning-large", RequestBodyKind.Multipart, 1);
    public static readonly Pipeline TextToSpeech = new("text-to-speech", 36, "parler-tts/parler-tts-large-v1", RequestBodyKind.Json, 1);

    public static IReadOnlyList<Pipeline> All { get; } =
    [
        TextToImage, ImageToImage, ImageToVideo, Upscale, AudioToText, SegmentAnything2, Llm, ImageToText, TextToSpeech,
    ];

    private static readonly Dictionary<string, Pipeline> ByName = All.ToDictionary(p => p.Name, StringComparer.Ordinal);
    private static readonly Dictionary<int, Pipeline> ById = All.ToDictionary(p => p.CapabilityId);

    public static bool TryGet(string name, [NotNullWhen(true)] out Pipeline? pipeline) => ByName.TryGetValue(name, out pipeline);

    public static bool TryGet(int capabilityId, [NotNullWhen(true)] out Pipeline? pipeline) => ById.TryGetValue(capabilityId, out pipeline);

    public static Pipeline Get(string name) =>
        TryGet(name, out var pipeline)
            ? pipeline
            : throw new ArgumentException($"unknown pipeline '{name}'; known: {string.Join(", ", ByName.Keys)}", nameof(name));
}
