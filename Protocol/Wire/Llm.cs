namespace LivepeerAspire.Protocol.Wire;

public sealed record LlmMessage(string Role, string Content);

/// <summary>ai-runner LLMRequest. Every member is nullable so that "absent" can be told from "default".</summary>
public sealed record LlmRequest
{
    public string? Model { get; init; }
    public List<LlmMessage>? Messages { get; init; }
    public int? MaxTokens { get; init; }
    public bool? Stream { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
}

public sealed record LlmUsage(int PromptTokens, int CompletionTokens, int TotalTokens);

/// <summary>A choice; <see cref="Delta"/> on stream chunks, <see cref="Message"/> on whole answers, never both.</summary>
public sealed record LlmChoice
{
    public int Index { get; init; }
    public string FinishReason { get; init; } = "";
    public LlmMessage? Delta { get; init; }
    public LlmMessage? Message { get; init; }
}

public sealed record LlmResponse
{
    public required string Id { get; init; }
    public required string Model { get; init; }
    public long Created { get; init; }
    public required LlmUsage Usage { get; init; }
    public required List<LlmChoice> Choices { get; init; }
}
