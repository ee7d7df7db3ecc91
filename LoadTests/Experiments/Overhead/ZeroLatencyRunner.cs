using System.Text.Json;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LivepeerAspire.LoadTests.Experiments.Overhead;

/// <summary>
/// An ai-runner that answers at once: the far end of the overhead experiment, so that what is measured is the
/// path in front of it (gateway + orchestrator, YARP hops or nginx), not GPU work.
/// </summary>
public static class ZeroLatencyRunner
{
    public static Task<LoopbackServer> StartAsync(int port = 0)
    {
        var image = "data:image/png;base64," + Convert.ToBase64String(SyntheticPng.Encode(8, 8, 1));
        var imageBody = JsonSerializer.SerializeToUtf8Bytes(new { images = new[] { new { url = image, seed = 1, nsfw = false } } });
        return LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/health", () => Results.Json(new { status = "OK" }));
            app.MapGet("/version", () => Results.Json(new { pipeline = "text-to-image", model_id = "", version = "zero-latency" }));
            app.MapGet("/hardware/info", () => Results.Json(new { pipeline = "text-to-image", model_id = "", gpu_info = new Dictionary<string, object>() }));
            app.MapPost("/llm", async (HttpContext ctx) =>
            {
                var request = await JsonSerializer.DeserializeAsync<LlmRequest>(ctx.Request.Body, WireJson.Options);
                var usage = new LlmUsage(1, 1, 2);
                if (request?.Stream == true)
                {
                    ctx.Response.ContentType = "text/event-stream";
                    foreach (var (content, finish) in new[] { ("ok", ""), ("", "stop") })
                    {
                        var chunk = new LlmResponse
                        {
                            Id = "chatcmpl-0", Model = request.Model ?? "", Created = 0, Usage = usage,
                            Choices = [new LlmChoice { FinishReason = finish, Delta = new LlmMessage("assistant", content) }],
                        };
                        await ctx.Response.WriteAsync("data: " + JsonSerializer.Serialize(chunk, WireJson.Options) + "\n\n");
                    }

                    return;
                }

                await ctx.Response.WriteAsJsonAsync(new LlmResponse
                {
                    Id = "chatcmpl-0", Model = request?.Model ?? "", Created = 0, Usage = usage,
                    Choices = [new LlmChoice { FinishReason = "stop", Message = new LlmMessage("assistant", "ok") }],
                }, WireJson.Options);
            });
            app.MapPost("/{pipeline}", async (HttpContext ctx) =>
            {
                await ctx.Request.Body.CopyToAsync(Stream.Null);
                ctx.Response.ContentType = "application/json";
                await ctx.Response.Body.WriteAsync(imageBody);
            });
        }, port);
    }
}
