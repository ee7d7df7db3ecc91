namespace LivepeerAspire.Protocol.Wire;

/// <summary>TextToImageParams; members nullable so the gateway and runner can apply their own defaults.</summary>
public sealed record TextToImageRequest
{
    public string? ModelId { get; init; }
    public string? Loras { get; init; }
    public string? Prompt { get; init; }
    public int? Height { get; init; }
    public int? Width { get; init; }
    public double? GuidanceScale { get; init; }
    public string? NegativePrompt { get; init; }
    public bool? SafetyCheck { get; init; }
    public long? Seed { get; init; }
    public int? NumInferenceSteps { get; init; }
    public int? NumImagesPerPrompt { get; init; }
}

public sealed record TextToSpeechRequest
{
    public string? ModelId { get; init; }
    public string? Text { get; init; }
    public string? Description { get; init; }
}
