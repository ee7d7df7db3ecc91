using System.Text.Json;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Runner.Ollama.Llm;

/// <summary>LLMRequest → Ollama /api/chat, and Ollama's done_reason → LLMResponse finish_reason.</summary>
internal static class OllamaTranslation
{
    /// <summary>
    /// Always asks Ollama to stream: one code path for both modes, and a failure part-way through a
    /// non-stream answer is seen as such rather than as a truncated text.
    /// </summary>
    public static OllamaChatRequest ToChat(LlmRequest request, string tag, JsonElement keepAlive)
    {
        var options = new Dictionary<string, JsonElement>
        {
            ["num_predict"] = JsonSerializer.SerializeToElement(request.MaxTokens!.Value),
        };
        if (request.Temperature is { } temperature)
        {
            options["temperature"] = JsonSerializer.SerializeToElement(temperature);
        }

        if (request.TopP is { } topP)
        {
            options["top_p"] = JsonSerializer.SerializeToElement(topP);
        }

        if (request.TopK is { } topK && topK != -1)
        {
            options["top_k"] = JsonSerializer.SerializeToElement(topK);
        }

        return new OllamaChatRequest
        {
            Model = tag,
            Messages = request.Messages!.Select(m => new LlmMessage(m.Role, m.Content)).ToList(),
            Stream = true,
            Options = options,
            KeepAlive = keepAlive,
        };
    }

    /// <summary>"length" when Ollama hit num_predict (as OpenAI says it), else "stop".</summary>
    public static string FinishReason(string? doneReason) =>
        string.Equals(doneReason, "length", StringComparison.Ordinal) ? "length" : "stop";

    public const string ErrorFinishReason = "error";
}
