using System.Text;
using System.Text.Json;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>
/// JSON job bodies (text-to-image, llm, text-to-speech): checks what the orchestrator itself relies on and
/// computes units as go-livepeer's orchestrator does, except text-to-speech, which is counted in UTF-8
/// bytes like the gateway pays (go-livepeer's orchestrator charges 1000 × characters, a known mismatch).
/// </summary>
public static class JsonJobReader
{
    public static JobParse Read(Pipeline pipeline, byte[] body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return JobParse.Fail($"malformed JSON body: {e.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return JobParse.Fail($"request body must be a JSON object for {pipeline.Name}");
            }

            return pipeline.Name switch
            {
                "llm" => ReadLlm(root),
                "text-to-image" => ReadTextToImage(root),
                "text-to-speech" => ReadTextToSpeech(root),
                _ => JobParse.Fail($"{pipeline.Name} takes multipart/form-data, not JSON"),
            };
        }
    }

    private static JobParse ReadLlm(JsonElement root)
    {
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String)
        {
            return JobParse.Fail("model is required and must be a string (\"\" selects the default model)");
        }

        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            return JobParse.Fail("messages is required and must be a non-empty array of {role, content}");
        }

        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object
                || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                return JobParse.Fail("each message needs a string role and a string content");
            }
        }

        if (!root.TryGetProperty("max_tokens", out var maxTokens) || maxTokens.ValueKind == JsonValueKind.Null)
        {
            return JobParse.Fail("MaxTokens not specified");
        }

        if (maxTokens.ValueKind != JsonValueKind.Number || !maxTokens.TryGetInt32(out var tokens) || tokens < 1)
        {
            return JobParse.Fail("max_tokens must be a positive integer");
        }

        if (root.TryGetProperty("stream", out var stream) && stream.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
        {
            return JobParse.Fail("stream must be a boolean");
        }

        return JobParse.Ok(model.GetString()!, tokens);
    }

    private static JobParse ReadTextToImage(JsonElement root)
    {
        if (ModelId(root) is not { } model)
        {
            return JobParse.Fail("model_id must be a string");
        }

        if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind != JsonValueKind.String || prompt.GetString()!.Trim().Length == 0)
        {
            return JobParse.Fail("prompt is required");
        }

        var height = PositiveInt(root, "height", 512, out var error) ?? 0;
        var width = error is null ? PositiveInt(root, "width", 512, out error) ?? 0 : 0;
        var images = error is null ? PositiveInt(root, "num_images_per_prompt", 1, out error) ?? 0 : 0;
        return error is not null ? JobParse.Fail(error) : JobParse.Ok(model, (long)height * width * images);
    }

    private static JobParse ReadTextToSpeech(JsonElement root)
    {
        if (ModelId(root) is not { } model)
        {
            return JobParse.Fail("model_id must be a string");
        }

        if (!root.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String || text.GetString()!.Length == 0)
        {
            return JobParse.Fail("text is required");
        }

        return JobParse.Ok(model, Encoding.UTF8.GetByteCount(text.GetString()!));
    }

    private static string? ModelId(JsonElement root) =>
        !root.TryGetProperty("model_id", out var id) || id.ValueKind == JsonValueKind.Null ? ""
        : id.ValueKind == JsonValueKind.String ? id.GetString()
        : null;

    /// <summary>The integer field, its default when absent or null, or an error when present but not a positive integer.</summary>
    internal static int? PositiveInt(JsonElement root, string name, int fallback, out string? error)
    {
        error = null;
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n > 0)
        {
            return n;
        }

        error = $"{name} must be a positive integer, got {value.GetRawText()}";
        return null;
    }
}
