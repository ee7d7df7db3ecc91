using System.Text.Json;

namespace LivepeerAspire.Runner.Ollama.Tests;

/// <summary>Splits an SSE body into its data payloads.</summary>
public static class SseReader
{
    public static List<string> DataLines(string body) =>
        body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Trim())
            .Where(e => e.Length > 0)
            .Select(e => e.StartsWith("data: ", StringComparison.Ordinal) ? e["data: ".Length..] : throw new FormatException($"not a data event: {e}"))
            .ToList();

    public static List<JsonElement> Chunks(string body) =>
        DataLines(body).Where(d => d != "[DONE]").Select(d => JsonDocument.Parse(d).RootElement.Clone()).ToList();
}
