using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Simulated.Fleet;
using LivepeerAspire.Runner.Simulated.Gpus;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>
/// The Ollama API of an LLM GPU under <c>/gpus/{id}/ollama</c>: <c>/api/chat</c> (NDJSON stream or one JSON),
/// <c>/api/tags</c>, <c>/api/ps</c>, <c>/api/version</c>. Durations are simulated nanoseconds.
/// </summary>
public static class OllamaEndpoints
{
    public const string Version = "0.12.6";
    private const string Ndjson = "application/x-ndjson";

    public static void Map(RouteGroupBuilder gpu)
    {
        var ollama = gpu.MapGroup("/ollama");
        ollama.MapGet("/", (HttpContext ctx, string gpuId) => Run(ctx, gpuId, async (c, _, _) => await c.Response.WriteAsync("Ollama is running")));
        ollama.MapPost("/api/chat", (HttpContext ctx, string gpuId) => Run(ctx, gpuId, ChatAsync));
        ollama.MapGet("/api/tags", (HttpContext ctx, string gpuId) => Run(ctx, gpuId, (c, g, _) => c.Response.WriteAsJsonAsync(new OllamaModelList([Describe(g)]), WireJson.Options)));
        ollama.MapGet("/api/ps", (HttpContext ctx, string gpuId) => Run(ctx, gpuId, (c, g, _) => c.Response.WriteAsJsonAsync(Running(g), WireJson.Options)));
        ollama.MapGet("/api/version", (HttpContext ctx, string gpuId) => Run(ctx, gpuId, (c, _, _) => c.Response.WriteAsJsonAsync(new OllamaVersion(Version), WireJson.Options)));
    }

    private static Task Run(HttpContext ctx, string gpuId, GpuHandler handler) =>
        GpuRoute.RunAsync(ctx, gpuId, PipelineCatalog.Llm, handler, FailureAsync);

    public static async Task ChatAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        OllamaChatRequest? req;
        try
        {
            req = await JsonSerializer.DeserializeAsync<OllamaChatRequest>(ctx.Request.Body, WireJson.Options, ct);
        }
        catch (JsonException ex)
        {
            await ErrorAsync(ctx, 400, ex.Message);
            return;
        }

        if (string.IsNullOrEmpty(req?.Model))
        {
            await ErrorAsync(ctx, 400, "model is required");
            return;
        }

        if (!Serves(gpu, req.Model))
        {
            await ErrorAsync(ctx, 404, $"model '{req.Model}' not found");
            return;
        }

        TimeSpan? keepAlive = null;
        if (req.KeepAlive is { } ka)
        {
            if (!KeepAlive.TryParse(ka, out var parsed, out var error))
            {
                await ErrorAsync(ctx, 400, $"keep_alive: {error}");
                return;
            }

            keepAlive = parsed;
        }

        var stream = req.Stream ?? true;
        var messages = req.Messages ?? [];
        if (messages.Any(m => m.Role is not ("system" or "user" or "assistant" or "tool")))
        {
            await ErrorAsync(ctx, 400, "invalid message role: expected system, user, assistant or tool");
            return;
        }

        var started = gpu.Clock.WallNow;
        if (messages.Count == 0)
        {
            await LoadOrUnloadAsync(ctx, gpu, req.Model, keepAlive, stream, ct);
            return;
        }

        var generation = new LlmGeneration(gpu, messages, NumPredict(req.Options));
        var demand = new JobDemand
        {
            Tokens = generation.PromptTokens + generation.CompletionTokens,
            Streaming = stream,
            KeepAlive = keepAlive,
            Ollama = true,
        };
        await using var lease = await gpu.BeginAsync(demand, ct);
        await generation.PrefillAsync(lease, ct);
        if (stream)
        {
            ctx.Response.ContentType = Ndjson;
            await ctx.Response.StartAsync(ct);
            for (var i = 0; i < generation.CompletionTokens; i++)
            {
                await generation.DecodeAsync(lease, i, ct);
                await WriteLineAsync(ctx, Line(gpu, req.Model, generation.Token(i)), ct);
            }
        }
        else
        {
            await generation.DecodeAllAsync(lease, ct);
        }

        lease.Complete();
        await lease.DisposeAsync();
        var final = Line(gpu, req.Model, stream ? "" : generation.Text) with
        {
            Done = true,
            DoneReason = generation.FinishReason,
            // Queue wait as measured, plus the simulated load and service time (not the wall time of the
            // host's own work, which the time scale would magnify).
            TotalDuration = Nanoseconds(gpu.Clock.ToSimulated(lease.Started - started) + lease.LoadDuration + lease.ServiceDuration),
            LoadDuration = Nanoseconds(lease.LoadDuration),
            PromptEvalCount = generation.PromptTokens,
            PromptEvalDuration = Nanoseconds(generation.PromptEvalDuration),
            EvalCount = generation.CompletionTokens,
            EvalDuration = Nanoseconds(generation.EvalDuration),
        };
        if (stream)
        {
            await WriteLineAsync(ctx, final, ct);
        }
        else
        {
            await ctx.Response.WriteAsJsonAsync(final, WireJson.Options, ct);
        }
    }

    /// <summary>Empty messages load the model; with keep_alive 0 they unload it.</summary>
    private static async Task LoadOrUnloadAsync(HttpContext ctx, SimulatedGpu gpu, string model, TimeSpan? keepAlive, bool stream, CancellationToken ct)
    {
        string reason;
        TimeSpan load = TimeSpan.Zero;
        if (keepAlive == TimeSpan.Zero)
        {
            gpu.Unload();
            reason = "unload";
        }
        else
        {
            await using var lease = await gpu.BeginAsync(new JobDemand { KeepAlive = keepAlive, Ollama = true }, ct);
            load = lease.LoadDuration;
            reason = "load";
        }

        var line = Line(gpu, model, "") with { Done = true, DoneReason = reason, LoadDuration = reason == "load" ? Nanoseconds(load) : null };
        if (stream)
        {
            ctx.Response.ContentType = Ndjson;
            await WriteLineAsync(ctx, line, ct);
        }
        else
        {
            await ctx.Response.WriteAsJsonAsync(line, WireJson.Options, ct);
        }
    }

    private static Task FailureAsync(HttpContext ctx, SimulatedGpu gpu, SimulatedFailureException failure) => failure.Kind switch
    {
        FailureKind.QueueFull => ErrorAsync(ctx, 503, "server busy, please try again.  maximum pending requests exceeded"),
        FailureKind.ModelDoesNotFit => ErrorAsync(ctx, 500,
            $"model requires more system memory ({gpu.Placement.VramNeedGB.ToString("0.0", CultureInfo.InvariantCulture)} GiB) than is available ({gpu.Placement.VramGB.ToString("0.0", CultureInfo.InvariantCulture)} GiB)"),
        FailureKind.OutOfMemory => ErrorAsync(ctx, 500, "CUDA error: out of memory"),
        _ => ErrorAsync(ctx, 500, "llama runner process has terminated: exit status 2"),
    };

    private static Task ErrorAsync(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsJsonAsync(new OllamaErrorBody(message), WireJson.Options);
    }

    /// <summary>The names this GPU answers to: its model id, the catalog aliases, with Ollama's implicit ":latest".</summary>
    public static bool Serves(SimulatedGpu gpu, string name)
    {
        var wanted = Normalize(name);
        return new[] { gpu.Config.ModelId, gpu.Config.Model.Id }
            .Concat(gpu.Config.Model.Aliases ?? [])
            .Any(n => string.Equals(Normalize(n), wanted, StringComparison.OrdinalIgnoreCase));
    }

    private static string Normalize(string name) => name.Contains(':') ? name : name + ":latest";

    /// <summary>The Ollama tag shown in /api/tags: the first alias that looks like one, else the model id.</summary>
    public static string Tag(SimulatedGpu gpu) =>
        (gpu.Config.Model.Aliases ?? []).FirstOrDefault(a => a.Contains(':') && !a.Contains('/')) ?? gpu.Config.ModelId;

    private static OllamaModel Describe(SimulatedGpu gpu)
    {
        var config = gpu.Config;
        var family = config.Model.Family ?? "llama";
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(config.Model.Id + "/" + config.Quantization)));
        return new OllamaModel
        {
            Name = Tag(gpu),
            Model = Tag(gpu),
            ModifiedAt = "2026-01-01T00:00:00Z",
            Size = (long)(config.Quant.SizeGB * 1e9),
            Digest = digest,
            Details = new OllamaModelDetails("", "gguf", family, [family], config.Model.ParameterSize ?? "", config.Quantization.ToUpperInvariant()),
        };
    }

    private static OllamaModelList Running(SimulatedGpu gpu)
    {
        if (!gpu.IsLoaded)
        {
            return new OllamaModelList([]);
        }

        var remaining = gpu.ExpiresAt is { } at ? at - gpu.Clock.SimNow : (TimeSpan?)null;
        var expires = remaining is { } r
            ? gpu.Clock.WallNow + gpu.Clock.ToWall(r < TimeSpan.Zero ? TimeSpan.Zero : r)
            : new DateTimeOffset(2318, 1, 1, 0, 0, 0, TimeSpan.Zero);
        return new OllamaModelList([Describe(gpu) with
        {
            ModifiedAt = null,
            ExpiresAt = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            SizeVram = (long)(gpu.Placement.VramNeedGB * 1e9),
        }]);
    }

    private static int? NumPredict(Dictionary<string, JsonElement>? options) =>
        options is not null && options.TryGetValue("num_predict", out var value) && value.TryGetInt32(out var n) && n > 0 ? n : null;

    private static OllamaChatResponse Line(SimulatedGpu gpu, string model, string content) => new()
    {
        Model = model,
        CreatedAt = gpu.Clock.WallNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        Message = new LlmMessage("assistant", content),
        Done = false,
    };

    private static async Task WriteLineAsync(HttpContext ctx, OllamaChatResponse line, CancellationToken ct)
    {
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line, WireJson.Options) + "\n"), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    private static long Nanoseconds(TimeSpan duration) => (long)(duration.TotalMilliseconds * 1_000_000);

}
