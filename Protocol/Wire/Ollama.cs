using System.Text.Json;

namespace LivepeerAspire.Protocol.Wire;

/// <summary>Ollama /api/chat request. keep_alive is a duration string ("5m") or a number of seconds.</summary>
public sealed record OllamaChatRequest
{
    public string? Model { get; init; }
    public List<LlmMessage>? Messages { get; init; }
    public bool? Stream { get; init; }
    public Dictionary<string, JsonElement>? Options { get; init; }
    public JsonElement? KeepAlive { get; init; }
}

/// <summary>One NDJSON line of /api/chat (or the whole non-stream answer). Durations are nanoseconds.</summary>
public sealed record OllamaChatResponse
{
    public required string Model { get; init; }
    public required string CreatedAt { get; init; }
    public LlmMessage? Message { get; init; }
    public bool Done { get; init; }
    public string? DoneReason { get; init; }
    public long? TotalDuration { get; init; }
    public long? LoadDuration { get; init; }
    public int? PromptEvalCount { get; init; }
    public long? PromptEvalDuration { get; init; }
    public int? EvalCount { get; init; }
    public long? EvalDuration { get; init; }
    /// <summary>Set on an error line (mid-stream errors keep status 200).</summary>
    public string? Error { get; init; }
}

public sealed record OllamaErrorBody(string Error);

public sealed record OllamaModelDetails(
    string ParentModel, string Format, string Family, List<string> Families, string ParameterSize, string QuantizationLevel);

public sealed record OllamaModel
{
    public required string Name { get; init; }
    public required string Model { get; init; }
    public string? ModifiedAt { get; init; }
    public long Size { get; init; }
    public required string Digest { get; init; }
    public required OllamaModelDetails Details { get; init; }
    /// <summary>/api/ps only.</summary>
    public string? ExpiresAt { get; init; }
    /// <summary>/api/ps only.</summary>
    public long? SizeVram { get; init; }
}

public sealed record OllamaModelList(List<OllamaModel> Models);

public sealed record OllamaVersion(string Version);
