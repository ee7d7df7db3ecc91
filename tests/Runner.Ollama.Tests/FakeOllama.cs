using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.Runner.Ollama.Tests;

/// <summary>
/// A small Ollama on 127.0.0.1 (port 0) behind a path prefix, speaking the documented API: /api/tags,
/// /api/pull, and /api/chat streaming scripted NDJSON lines (or a scripted error status before output).
/// </summary>
public sealed class FakeOllama : IAsyncDisposable
{
    public const string Prefix = "/gpus/fake0/ollama";
    private readonly WebApplication _app;

    public List<string> Tags { get; } = ["llama3.1:8b"];
    public ConcurrentQueue<JsonDocument> ChatRequests { get; } = new();

    /// <summary>NDJSON lines for the next chats (objects serialized one per line).</summary>
    public List<object> ChatLines { get; set; } = [];

    /// <summary>When set, /api/chat answers this status and <c>{"error":…}</c> before any output.</summary>
    public (int Status, string Error)? ChatFailure { get; set; }

    /// <summary>When set, a load-only chat (empty messages) waits on it.</summary>
    public TaskCompletionSource? LoadGate { get; set; }

    /// <summary>When set, /api/pull waits on it, then adds the tag.</summary>
    public TaskCompletionSource? PullGate { get; set; }

    private FakeOllama(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<FakeOllama> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeOllama(app);
        fake.Map();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = address + Prefix;
        return fake;
    }

    public static object Line(string content) =>
        new { model = "llama3.1:8b", created_at = "2026-11-22T06:00:00Z", message = new { role = "assistant", content }, done = false };

    public static object Final(string reason, int promptEval, int eval) =>
        new
        {
            model = "llama3.1:8b", created_at = "2026-11-22T06:00:01Z", message = new { role = "assistant", content = "" },
            done = true, done_reason = reason, total_duration = 123456789L, prompt_eval_count = promptEval, eval_count = eval,
            eval_duration = 100000000L,
        };

    public static object ErrorLine(string error) => new { error };

    /// <summary>What /api/ps reports as loaded: tag and VRAM bytes.</summary>
    public List<(string Tag, long VramBytes)> Loaded { get; } = [];

    private void Map()
    {
        _app.MapGet(Prefix + "/api/tags", () => Results.Json(new
        {
            models = Tags.Select(t => new { name = t, model = t, size = 1L, digest = "sha256:00", details = new { family = "llama" } }),
        }));

        _app.MapGet(Prefix + "/api/ps", () => Results.Json(new
        {
            models = Loaded.Select(m => new
            {
                name = m.Tag, model = m.Tag, size = m.VramBytes, digest = "sha256:00", details = new { family = "llama" },
                expires_at = "2026-11-22T06:05:00Z", size_vram = m.VramBytes,
            }),
        }));

        _app.MapPost(Prefix + "/api/pull", async (HttpContext context) =>
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body);
            if (PullGate is { } gate)
            {
                await gate.Task;
            }

            Tags.Add(doc.RootElement.GetProperty("model").GetString()!);
            return Results.Json(new { status = "success" });
        });

        _app.MapPost(Prefix + "/api/chat", async (HttpContext context) =>
        {
            var doc = await JsonDocument.ParseAsync(context.Request.Body);
            var messages = doc.RootElement.GetProperty("messages");
            if (messages.GetArrayLength() == 0)
            {
                if (LoadGate is { } gate)
                {
                    await gate.Task;
                }

                await context.Response.WriteAsJsonAsync(new { model = "llama3.1:8b", created_at = "x", message = new { role = "assistant", content = "" }, done = true, done_reason = "load" });
                return;
            }

            ChatRequests.Enqueue(doc);
            if (ChatFailure is { } failure)
            {
                context.Response.StatusCode = failure.Status;
                await context.Response.WriteAsJsonAsync(new { error = failure.Error });
                return;
            }

            context.Response.ContentType = "application/x-ndjson";
            foreach (var line in ChatLines)
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line) + "\n"));
                await context.Response.Body.FlushAsync();
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
