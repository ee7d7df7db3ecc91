using System.Text.Json;

namespace LivepeerAspire.Protocol.Wire;

/// <summary>OpenAI chat-completions request (the members this network can honour; others are ignored).</summary>
public sealed record OpenAiChatRequest
{
    public string? Model { get; init; }
    public List<OpenAiChatRequestMessage>? Messages { get; init; }
    public int? MaxTokens { get; init; }
    public int? MaxCompletionTokens { get; init; }
    public bool? Stream { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public OpenAiStreamOptions? StreamOptions { get; init; }
}

/// <summary>content is a string or an array of content parts (<c>{"type":"text","text":"…"}</c>).</summary>
public sealed record OpenAiChatRequestMessage
{
    public string? Role { get; init; }
    public JsonElement? Content { get; init; }
}

public sealed record OpenAiStreamOptions
{
    public bool? IncludeUsage { get; init; }
}

public sealed record OpenAiMessage(string Role, string Content);

public sealed record OpenAiUsage(int PromptTokens, int CompletionTokens, int TotalTokens);

public sealed record OpenAiChoice(int Index, OpenAiMessage Message, string FinishReason);

/// <summary><c>object: "chat.completion"</c></summary>
public sealed record OpenAiChatCompletion(string Id, long Created, string Model, List<OpenAiChoice> Choices, OpenAiUsage Usage)
{
    public string Object { get; init; } = "chat.completion";
}

/// <summary>A chunk's delta: role only on the first chunk; the finish chunk's delta is empty.</summary>
public sealed record OpenAiDelta
{
    public string? Role { get; init; }
    public string? Content { get; init; }
}

public sealed record OpenAiChunkChoice(int Index, OpenAiDelta Delta, string? FinishReason);

/// <summary><c>object: "chat.completion.chunk"</c></summary>
public sealed record OpenAiChatChunk(string Id, long Created, string Model, List<OpenAiChunkChoice> Choices)
{
    public string Object { get; init; } = "chat.completion.chunk";
    public OpenAiUsage? Usage { get; init; }
}

public sealed record OpenAiModel(string Id, long Created, string OwnedBy)
{
    public string Object { get; init; } = "model";
}

public sealed record OpenAiModelList(List<OpenAiModel> Data)
{
    public string Object { get; init; } = "list";
}
