using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Runner.Ollama.Ollama;

/// <summary>
/// One NDJSON line of /api/chat as read leniently: every member optional, because an error line is just
/// <c>{"error":"…"}</c> and metric fields are omitted when zero.
/// </summary>
internal sealed record OllamaChatLine
{
    public string? Model { get; init; }
    public LlmMessage? Message { get; init; }
    public bool Done { get; init; }
    public string? DoneReason { get; init; }
    public int? PromptEvalCount { get; init; }
    public int? EvalCount { get; init; }
    public string? Error { get; init; }
}
