using System.Text.Json;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Ollama.Models;

namespace LivepeerAspire.Runner.Ollama.Llm;

/// <summary>A validated LLMRequest, or the message that says what to fix.</summary>
internal readonly record struct LlmRequestResult(LlmRequest? Request, string? Error);

/// <summary>
/// Reads and checks an ai-runner LLMRequest. Unlike the ai-runner (FastAPI 422 lists, a 500 for a bad
/// role) every problem is a 400 <c>{"detail":{"msg"}}</c>, the only client-error shape go-livepeer parses.
/// <c>model</c>, <c>messages</c> and <c>max_tokens</c> are required, as the go-livepeer gateway and
/// orchestrator require them; <c>model</c> may be "" to mean this runner's model.
/// </summary>
internal static class LlmRequestReader
{
    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "system", "user", "assistant" };

    public static async Task<LlmRequestResult> ReadAsync(Stream body, ServedModel served, CancellationToken ct)
    {
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(body, default, ct);
        }
        catch (JsonException e)
        {
            return Fail($"malformed JSON body: {e.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail("request body must be a JSON object (LLMRequest)");
            }

            LlmRequest? request;
            try
            {
                request = root.Deserialize<LlmRequest>(WireJson.Options);
            }
            catch (JsonException e)
            {
                return Fail($"invalid value at {e.Path ?? "$"}: {e.Message}");
            }

            return request is null ? Fail("request body must be a JSON object (LLMRequest)") : Validate(request, root, served);
        }
    }

    private static LlmRequestResult Validate(LlmRequest r, JsonElement root, ServedModel served)
    {
        if (!root.TryGetProperty("model", out _) || r.Model is null)
        {
            return Fail("model is required (send \"\" to use the runner's model)");
        }

        if (!served.Accepts(r.Model))
        {
            return Fail($"pipeline configured with {served.ModelId} but called with {r.Model}");
        }

        if (r.Messages is null || r.Messages.Count == 0)
        {
            return Fail("messages is required and must not be empty");
        }

        for (var i = 0; i < r.Messages.Count; i++)
        {
            var m = r.Messages[i];
            if (m is null || m.Role is null || !Roles.Contains(m.Role))
            {
                return Fail($"messages[{i}].role must be one of system, user, assistant");
            }

            if (m.Content is null)
            {
                return Fail($"messages[{i}].content is required");
            }
        }

        if (r.MaxTokens is null)
        {
            return Fail("max_tokens is required");
        }

        if (r.MaxTokens < 1)
        {
            return Fail("max_tokens must be at least 1");
        }

        if (r.Temperature is < 0 or > 2)
        {
            return Fail("temperature must be between 0 and 2");
        }

        if (r.TopP is < 0 or > 1)
        {
            return Fail("top_p must be between 0 and 1");
        }

        if (r.TopK is < -1)
        {
            return Fail("top_k must be -1 (disabled) or a non-negative integer");
        }

        return new LlmRequestResult(r, null);
    }

    private static LlmRequestResult Fail(string message) => new(null, message);
}
