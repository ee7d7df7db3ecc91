using System.Text;
using System.Text.Json;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Simulated.Gpus;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>
/// ai-runner <c>POST /llm</c>: JSON or SSE (<c>data: {…}</c> chunks, then <c>data: [DONE]</c>). Errors the real
/// runner reports after a 200 (bad roles, limits, context overflow) are answered with a 500 before streaming
/// starts, so every data line carries a non-empty choices array (see reference errata).
/// </summary>
public static class LlmEndpoint
{
    public const int MaxModelLength = 8192;
    private const string InternalError = "Internal server error during LLM processing.";

    public static async Task HandleAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var req = await JsonBody.ReadAsync<LlmRequest>(ctx, "messages");
        if (req is null)
        {
            return;
        }

        if (!await GpuRoute.AuthorizedAsync(ctx, gpu, period: false) || !await GpuRoute.ModelMatchesAsync(ctx, gpu, req.Model, period: false))
        {
            return;
        }

        var messages = req.Messages ?? [];
        var maxTokens = req.MaxTokens ?? 256;
        var valid = messages.Count > 0
            && messages.All(m => m.Role is "system" or "user" or "assistant" && m.Content is not null)
            && req.Temperature is null or (>= 0 and <= 2)
            && req.TopP is null or (>= 0 and <= 1)
            && maxTokens >= 1;
        var generation = valid ? new LlmGeneration(gpu, messages, maxTokens) : null;
        if (generation is null || generation.PromptTokens + maxTokens > MaxModelLength)
        {
            await RunnerResponses.Detail(ctx, 500, InternalError);
            return;
        }

        var demand = new JobDemand { Tokens = generation.PromptTokens + maxTokens, Streaming = req.Stream == true };
        await using var lease = await gpu.BeginAsync(demand, ct);
        var id = $"chatcmpl-{gpu.NextContent(long.MaxValue):x16}";
        await generation.PrefillAsync(lease, ct);
        if (req.Stream == true)
        {
            await StreamAsync(ctx, gpu, lease, generation, id, ct);
            return;
        }

        await generation.DecodeAllAsync(lease, ct);
        lease.Complete();
        await lease.DisposeAsync();
        RunnerResponses.SimulationHeaders(ctx, lease);
        await RunnerResponses.Json(ctx, new LlmResponse
        {
            Id = id,
            Model = gpu.Config.ModelId,
            Created = gpu.Clock.WallNow.ToUnixTimeSeconds(),
            Usage = new LlmUsage(generation.PromptTokens, generation.CompletionTokens, generation.PromptTokens + generation.CompletionTokens),
            Choices = [new LlmChoice { Index = 0, FinishReason = generation.FinishReason, Message = new LlmMessage("assistant", generation.Text) }],
        });
    }

    private static async Task StreamAsync(HttpContext ctx, SimulatedGpu gpu, GpuLease lease, LlmGeneration generation, string id, CancellationToken ct)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        await ctx.Response.StartAsync(ct);
        for (var i = 0; i < generation.CompletionTokens; i++)
        {
            await generation.DecodeAsync(lease, i, ct);
            await WriteEventAsync(ctx, Chunk(gpu, id, generation, i + 1, generation.Token(i), ""), ct);
        }

        lease.Complete();
        await lease.DisposeAsync();
        await WriteEventAsync(ctx, Chunk(gpu, id, generation, generation.CompletionTokens, "", generation.FinishReason), ct);
        await ctx.Response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    private static LlmResponse Chunk(SimulatedGpu gpu, string id, LlmGeneration generation, int completion, string content, string finish) => new()
    {
        Id = id,
        Model = gpu.Config.ModelId,
        Created = gpu.Clock.WallNow.ToUnixTimeSeconds(),
        Usage = new LlmUsage(generation.PromptTokens, completion, generation.PromptTokens + completion),
        Choices = [new LlmChoice { Index = 0, FinishReason = finish, Delta = new LlmMessage("assistant", content) }],
    };

    private static async Task WriteEventAsync(HttpContext ctx, LlmResponse chunk, CancellationToken ct)
    {
        var line = "data: " + JsonSerializer.Serialize(chunk, WireJson.Options) + "\n\n";
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }
}
