using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.Orchestrator.Tests;

/// <summary>
/// A scriptable ai-runner on 127.0.0.1 (port 0) under a <c>/gpus/{id}/</c> prefix, as Runner.Simulated
/// serves them: /health, /hardware/info, /version and the job routes, recording what it receives.
/// </summary>
public sealed class FakeRunner : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _prefix;

    private FakeRunner(WebApplication app, string prefix)
    {
        _app = app;
        _prefix = prefix;
    }

    public string Url { get; private set; } = "";

    /// <summary>/health answer: a status for a 200 JSON reply, or null for a 503.</summary>
    public string? HealthStatus { get; set; } = "OK";

    public bool HealthIsJson { get; set; } = true;

    public string Version { get; set; } = "0.14.1";

    /// <summary>Job requests received: (route, authorization header, content type, body).</summary>
    public ConcurrentQueue<(string Route, string Authorization, string ContentType, byte[] Body)> Jobs { get; } = new();

    /// <summary>The request headers of the last job, by lower-cased name.</summary>
    public IReadOnlyDictionary<string, string> LastJobHeaders { get; private set; } = new Dictionary<string, string>();

    /// <summary>When set, job handlers wait on it after recording the request.</summary>
    public TaskCompletionSource? JobGate { get; set; }

    /// <summary>Completed each time a job request has been recorded.</summary>
    public SemaphoreSlim JobArrived { get; } = new(0);

    /// <summary>When set, job routes answer this status and JSON body instead.</summary>
    public (int Status, string ContentType, string Body)? JobFailure { get; set; }

    /// <summary>The SSE events /llm streams when the request has "stream":true; the gate, if set, is awaited after the first.</summary>
    public List<string> SseEvents { get; set; } =
    [
        """{"id":"c1","model":"m","created":1,"usage":{"prompt_tokens":0,"completion_tokens":1,"total_tokens":1},"choices":[{"index":0,"finish_reason":"","delta":{"role":"assistant","content":"Hi"}}]}""",
        """{"id":"c1","model":"m","created":1,"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5},"choices":[{"index":0,"finish_reason":"stop","delta":{"role":"assistant","content":"!"}}]}""",
        "[DONE]",
    ];

    public TaskCompletionSource? StreamGate { get; set; }

    /// <summary>Pay per progress: n steps; /version advertises progress and an event-stream request streams steps 0…n.</summary>
    public int? ProgressSteps { get; set; }

    /// <summary>Awaited before each step k ≥ 1 is reported (default: none); lets a test hold the runner mid-job.</summary>
    public Func<int, CancellationToken, Task>? BeforeStep { get; set; }

    /// <summary>The last step reported, and whether the job's request was cancelled (the GPU freed) before its result.</summary>
    public int LastStep { get; private set; } = -1;

    public TaskCompletionSource ProgressCancelled { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Drops the connection after the first SSE event (and after <see cref="StreamGate"/>), as a crashing runner would.</summary>
    public bool BreakAfterFirstEvent { get; set; }

    public static async Task<FakeRunner> StartAsync(string id = "gpu0")
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeRunner(app, $"/gpus/{id}");
        fake.Map();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.Url = $"{address}/gpus/{id}/";
        return fake;
    }

    private void Map()
    {
        _app.MapGet(_prefix + "/health", (HttpContext context) =>
        {
            if (HealthStatus is null)
            {
                return Results.StatusCode(503);
            }

            return HealthIsJson
                ? Results.Json(new { status = HealthStatus })
                : Results.Text($"status={HealthStatus}", "text/plain");
        });
        _app.MapGet(_prefix + "/hardware/info", () => Results.Json(new
        {
            pipeline = "text-to-image",
            model_id = "stabilityai/sdxl-turbo",
            gpu_info = new Dictionary<string, object>
            {
                ["0"] = new { id = "GPU-1", name = "NVIDIA GeForce RTX 4090", memory_total = 25757220864L, memory_free = 20000000000L, major = 8, minor = 9 },
            },
        }));
        _app.MapGet(_prefix + "/version", () => ProgressSteps is null
            ? Results.Json(new { pipeline = "text-to-image", model_id = "x", version = Version })
            : Results.Json(new { pipeline = "text-to-image", model_id = "x", version = Version, progress = new { unit = "step", preview_every = 0 } }));
        _app.MapPost(_prefix + "/{route}", HandleJobAsync);
    }

    private async Task HandleJobAsync(HttpContext context, string route)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        LastJobHeaders = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        Jobs.Enqueue((route, context.Request.Headers.Authorization.ToString(), context.Request.ContentType ?? "", body));
        JobArrived.Release();
        if (JobGate is { } gate)
        {
            await gate.Task;
        }

        if (JobFailure is { } failure)
        {
            context.Response.StatusCode = failure.Status;
            context.Response.ContentType = failure.ContentType;
            await context.Response.WriteAsync(failure.Body);
            return;
        }

        if (ProgressSteps is { } n && context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal))
        {
            context.Response.ContentType = "text/event-stream";
            try
            {
                for (var step = 0; step <= n; step++)
                {
                    if (step > 0 && BeforeStep is { } before)
                    {
                        await before(step, context.RequestAborted);
                    }

                    await context.Response.WriteAsync($"event: progress\ndata: {{\"step\":{step},\"total_steps\":{n},\"elapsed_ms\":{step * 10}}}\n\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    LastStep = step;
                }

                await context.Response.WriteAsync("event: result\ndata: {\"images\":[{\"url\":\"data:image/png;base64,AAAA\",\"seed\":7,\"nsfw\":false}]}\n\n", context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                ProgressCancelled.TrySetResult();
            }
            catch (IOException)
            {
                ProgressCancelled.TrySetResult();
            }

            return;
        }

        if (route == "llm" && Encoding.UTF8.GetString(body).Contains("\"stream\":true", StringComparison.Ordinal))
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < SseEvents.Count; i++)
            {
                await context.Response.WriteAsync($"data: {SseEvents[i]}\n\n");
                await context.Response.Body.FlushAsync();
                if (i == 0 && StreamGate is { } streamGate)
                {
                    await streamGate.Task;
                }

                if (BreakAfterFirstEvent)
                {
                    context.Abort();
                    return;
                }
            }

            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(route == "llm"
            ? """{"id":"c2","model":"m","created":1,"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5},"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hi!"}}]}"""
            : $$"""{"images":[{"url":"data:image/png;base64,AAAA","seed":7,"nsfw":false}],"route":"{{route}}"}""");
    }

    public async ValueTask DisposeAsync()
    {
        JobGate?.TrySetResult();
        StreamGate?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
