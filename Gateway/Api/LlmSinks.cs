using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Api;

public static class SseHeaders
{
    public static void Apply(HttpResponse response, Attempt attempt)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers.Connection = "keep-alive";
        JobResponseHeaders.Apply(response, attempt.Session.ServiceUri.ToString(), attempt.Number, attempt.Payment.FeeWei);
    }
}

public static class JobResponseHeaders
{
    public static void Apply(HttpResponse response, string? orchestrator, int attempts, System.Numerics.BigInteger fee)
    {
        if (orchestrator is not null)
        {
            response.Headers["Livepeer-Orchestrator"] = orchestrator;
        }

        response.Headers["Livepeer-Attempts"] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["Livepeer-Fee"] = fee.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>go-livepeer's gateway SSE: <c>data: &lt;LLMResponse&gt;\n\n</c> per chunk, ending after the chunk with a finish_reason; no [DONE].</summary>
public sealed class LivepeerSseSink(HttpResponse response) : ILlmStreamSink
{
    public Task StartAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        SseHeaders.Apply(response, attempt);
        return response.StartAsync(cancellationToken);
    }

    public Task ChunkAsync(LlmResponse chunk, CancellationToken cancellationToken) =>
        WriteAsync(JsonSerializer.Serialize(chunk, WireJson.Options), cancellationToken);

    /// <summary>A final chunk with finish_reason "error" (every chunk keeps a non-empty choices array) and the reason.</summary>
    public Task ErrorAsync(string message, LlmResponse? last, CancellationToken cancellationToken)
    {
        var chunk = new LlmResponse
        {
            Id = last?.Id ?? "chatcmpl-error",
            Model = last?.Model ?? "",
            Created = last?.Created ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            Usage = last?.Usage ?? new LlmUsage(0, 0, 0),
            Choices = [new LlmChoice { Index = 0, FinishReason = "error", Delta = new LlmMessage("assistant", "") }],
        };
        var node = JsonSerializer.SerializeToNode(chunk, WireJson.Options)!.AsObject();
        node["error"] = new JsonObject { ["message"] = message };
        return WriteAsync(node.ToJsonString(), cancellationToken);
    }

    public Task EndAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task WriteAsync(string json, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes("data: " + json + "\n\n"), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>OpenAI chunks: role on the first delta, an empty delta with the finish_reason, optional usage chunk, then <c>data: [DONE]</c>.</summary>
public sealed class OpenAiSseSink(HttpResponse response, string model, bool includeUsage) : ILlmStreamSink
{
    private readonly string id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];
    private readonly long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private bool first = true;

    public Task StartAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        SseHeaders.Apply(response, attempt);
        return response.StartAsync(cancellationToken);
    }

    public async Task ChunkAsync(LlmResponse chunk, CancellationToken cancellationToken)
    {
        var choice = chunk.Choices[0];
        var content = choice.Delta?.Content ?? choice.Message?.Content ?? "";
        if (content.Length > 0 || first)
        {
            var delta = new OpenAiDelta { Role = first ? "assistant" : null, Content = content };
            first = false;
            await WriteAsync(new OpenAiChatChunk(id, created, model, [new OpenAiChunkChoice(0, delta, null)]), cancellationToken).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(choice.FinishReason))
        {
            await WriteAsync(new OpenAiChatChunk(id, created, model, [new OpenAiChunkChoice(0, new OpenAiDelta(), choice.FinishReason)]), cancellationToken).ConfigureAwait(false);
            if (includeUsage && chunk.Usage is { } u)
            {
                await WriteAsync(new OpenAiChatChunk(id, created, model, []) { Usage = new OpenAiUsage(u.PromptTokens, u.CompletionTokens, u.TotalTokens) }, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task ErrorAsync(string message, LlmResponse? last, CancellationToken cancellationToken)
    {
        await WriteRawAsync(JsonSerializer.Serialize(OpenAiError.Of(message, "api_error"), WireJson.Options), cancellationToken).ConfigureAwait(false);
        await WriteRawAsync("[DONE]", cancellationToken).ConfigureAwait(false);
    }

    public Task EndAsync(CancellationToken cancellationToken) => WriteRawAsync("[DONE]", cancellationToken);

    private Task WriteAsync(OpenAiChatChunk chunk, CancellationToken cancellationToken) =>
        WriteRawAsync(JsonSerializer.Serialize(chunk, WireJson.Options), cancellationToken);

    private async Task WriteRawAsync(string payload, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes("data: " + payload + "\n\n"), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
