using System.Text.Json;

namespace LivepeerAspire.Protocol.AiModels;

/// <summary>
/// One entry of go-livepeer's aiModels.json (core/ai.go AIModelConfig), field for field.
/// <c>price_per_unit</c> stays a raw JSON number so it can be read as an exact rational.
/// </summary>
public sealed record AiModelConfig
{
    public string? Pipeline { get; init; }
    public string? ModelId { get; init; }
    public string? Url { get; init; }
    public string? Token { get; init; }
    public bool Warm { get; init; }
    public int Capacity { get; init; }
    public JsonElement? PricePerUnit { get; init; }
    public JsonElement? PixelsPerUnit { get; init; }
    public string? Currency { get; init; }
    public Dictionary<string, JsonElement>? OptimizationFlags { get; init; }
    public string? Gateway { get; init; }

    /// <summary>go-livepeer treats a capacity of 0 as 1.</summary>
    public int EffectiveCapacity => Capacity <= 0 ? 1 : Capacity;
}
