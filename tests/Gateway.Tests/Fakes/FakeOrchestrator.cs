using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.Gateway.Tests.Fakes;

public enum FakeMode
{
    Ok,
    Capacity,
    Error,
    BadRequest,
    Hang,
    NoFirstToken,
    BreakMidStream,
}

public sealed record FakeModel(Pipeline Pipeline, string ModelId, bool Warm = true, int Capacity = 1, long PricePerUnit = 0, long PixelsPerUnit = 1, bool Progress = false);

/// <summary>
/// An orchestrator on 127.0.0.1:0 that answers getOrchestrator in protobuf and the pipeline routes with canned answers:
/// over http with POST /getOrchestrator, or (<see cref="StartGrpcOnlyAsync"/>) over https with only gRPC net.Orchestrator
/// for discovery, as a go-livepeer orchestrator serves it.
/// </summary>
public sealed class FakeOrchestrator : IAsyncDisposable
{
    public const string PngDataUrl = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";
    private readonly WebApplication app;

    private FakeOrchestrator(WebApplication app, IReadOnlyList<FakeModel> models)
    {
        this.app = app;
        Models = models;
    }

    public IReadOnlyList<FakeModel> Models { get; set; }

    public FakeMode Mode { get; set; } = FakeMode.Ok;

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>Pause after each streamed LLM chunk, so a test can act while a stream runs.</summary>
    public TimeSpan ChunkDelay { get; set; } = TimeSpan.Zero;

    public byte[] Address { get; set; } = new byte[20];

    public string Url { get; private set; } = "";

    public ConcurrentQueue<(string Route, string ContentType, byte[] Body, Dictionary<string, string> Headers)> Requests { get; } = new();

    /// <summary>Pay per progress: the steps reported to a request with Livepeer-Progress, in order (default 0…10).</summary>
    public int[] ProgressSteps { get; set; } = Enumerable.Range(0, 11).ToArray();

    /// <summary>total_steps in every progress event.</summary>
    public int ProgressTotal { get; set; } = 10;

    /// <summary>Pause before each progress event after step 0.</summary>
    public TimeSpan StepDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>After the scripted steps: send the result (true) or hang until the gateway leaves (false).</summary>
    public bool ProgressResult { get; set; } = true;

    /// <summary>Chunk payments received on POST /progress/payment: (Livepeer-Job, Livepeer-Chunk).</summary>
    public ConcurrentQueue<(string Job, int Chunk)> ChunkPayments { get; } = new();

    /// <summary>Set when a progress job's connection was closed by the gateway before it ended.</summary>
    public TaskCompletionSource ProgressAborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int JobCount => Requests.Count;

    public int DiscoveryCount;

    public int PostedDiscoveryCount;

    public static Task<FakeOrchestrator> StartAsync(params FakeModel[] models) => StartAsync(grpcOnly: false, models);

    /// <summary>Discovery only through gRPC over TLS (self-signed certificate); POST /getOrchestrator is not found.</summary>
    public static Task<FakeOrchestrator> StartGrpcOnlyAsync(params FakeModel[] models) => StartAsync(grpcOnly: true, models);

    private static async Task<FakeOrchestrator> StartAsync(bool grpcOnly, FakeModel[] models)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        FakeOrchestrator? created = null;
        if (grpcOnly)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
                listen.UseHttps(SelfSignedCertificate());
            }));
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(_ => new FakeOrchestratorRpc(created!));
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        var app = builder.Build();
        var fake = created = new FakeOrchestrator(app, models);
        if (grpcOnly)
        {
            app.MapGrpcService<FakeOrchestratorRpc>();
        }
        else
        {
            app.MapPost("/getOrchestrator", fake.GetOrchestratorAsync);
        }

        foreach (var pipeline in PipelineCatalog.All)
        {
            app.MapPost(pipeline.Route, (HttpContext c) => fake.JobAsync(c, pipeline));
        }

        app.MapPost("/progress/payment", (HttpContext c) =>
        {
            fake.ChunkPayments.Enqueue((c.Request.Headers["Livepeer-Job"].ToString(), int.Parse(c.Request.Headers["Livepeer-Chunk"].ToString(), System.Globalization.CultureInfo.InvariantCulture)));
            return Results.Json(new { chunk = 1 });
        });

        await app.StartAsync();
        fake.Url = app.Urls.First().TrimEnd('/') + "/";
        return fake;
    }

    public string Key => OrchestratorKey.Of(Url);

    private async Task GetOrchestratorAsync(HttpContext context)
    {
        Interlocked.Increment(ref PostedDiscoveryCount);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var info = Answer(OrchestratorRequest.Parser.ParseFrom(buffer.ToArray()));
        context.Response.ContentType = "application/x-protobuf";
        await context.Response.Body.WriteAsync(info.ToByteArray());
    }

    /// <summary>The last OrchestratorRequest received, by either transport.</summary>
    public OrchestratorRequest? LastRequest { get; private set; }

    internal OrchestratorInfo Answer(OrchestratorRequest request)
    {
        Interlocked.Increment(ref DiscoveryCount);
        LastRequest = request;
        var info = new OrchestratorInfo { Transcoder = Url, Address = ByteString.CopyFrom(Address), Capabilities = new Capabilities { Constraints = new Capabilities.Types.Constraints() } };
        foreach (var m in Models)
        {
            var cap = (uint)m.Pipeline.CapabilityId;
            if (!info.Capabilities.Constraints.PerCapability.TryGetValue(cap, out var constraints))
            {
                constraints = new Capabilities.Types.CapabilityConstraints();
                info.Capabilities.Constraints.PerCapability[cap] = constraints;
            }

            constraints.Models[m.ModelId] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint { Warm = m.Warm, Capacity = (uint)m.Capacity, ProgressSteps = m.Progress ? 1u : 0u };
            info.CapabilitiesPrices.Add(new PriceInfo { Capability = cap, Constraint = m.ModelId, PricePerUnit = m.PricePerUnit, PixelsPerUnit = m.PixelsPerUnit });
        }

        if (request.Capabilities is { } caps && caps.Constraints is not null)
        {
            var wanted = caps.Constraints.PerCapability.SelectMany(p => p.Value.Models.Keys.Select(k => (p.Key, k))).ToList();
            var priced = Models.FirstOrDefault(m => wanted.Contains(((uint)m.Pipeline.CapabilityId, m.ModelId)));
            info.PriceInfo = new PriceInfo { PricePerUnit = priced?.PricePerUnit ?? 0, PixelsPerUnit = priced?.PixelsPerUnit ?? 1 };
        }

        return info;
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSignedCertificate()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=fake-orchestrator", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            cert.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
    }

    private async Task JobAsync(HttpContext context, Pipeline pipeline)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        Requests.Enqueue((pipeline.Route, context.Request.ContentType ?? "", body, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString())));
        switch (Mode)
        {
            case FakeMode.Capacity:
                context.Response.StatusCode = 503;
                await context.Response.WriteAsJsonAsync(RunnerError.Of("insufficient capacity"), WireJson.Options);
                return;
            case FakeMode.Error:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(RunnerError.Of("Text-to-image pipeline error."), WireJson.Options);
                return;
            case FakeMode.BadRequest:
                context.Response.StatusCode = 400;
                await context.Response.WriteAsJsonAsync(RunnerError.Of("pipeline configured with x but called with y"), WireJson.Options);
                return;
            case FakeMode.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
                return;
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted).ContinueWith(_ => { });
        }

        if (context.Request.Headers.ContainsKey("Livepeer-Progress"))
        {
            await ProgressAsync(context);
            return;
        }

        if (pipeline == PipelineCatalog.Llm)
        {
            await LlmAsync(context, body);
            return;
        }

        object answer = pipeline.Name switch
        {
            "image-to-video" => new VideoResponse([[new Media(PngDataUrl, 1, false), new Media(PngDataUrl, 1, false)]]),
            "audio-to-text" => new TextResponse("hello", [new TextChunk([0.0, 1.0], "hello")]),
            "segment-anything-2" => new MasksResponse("[[0]]", "[1.0]", "[[0.5]]"),
            "image-to-text" => new ImageToTextResponse("a cat"),
            "text-to-speech" => new AudioResponse(new AudioUrl("data:audio/wav;base64,UklGRg==")),
            _ => new ImageResponse([new Media(PngDataUrl, 42, false)]),
        };
        await context.Response.WriteAsJsonAsync(answer, answer.GetType(), WireJson.Options);
    }

    private async Task ProgressAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        try
        {
            foreach (var step in ProgressSteps)
            {
                if (step > 0)
                {
                    await Task.Delay(StepDelay, context.RequestAborted);
                }

                await context.Response.WriteAsync($"event: progress\ndata: {{\"step\":{step},\"total_steps\":{ProgressTotal},\"elapsed_ms\":0}}\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            if (!ProgressResult)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            await context.Response.WriteAsync($"event: result\ndata: {JsonSerializer.Serialize(new ImageResponse([new Media(PngDataUrl, 42, false)]), WireJson.Options)}\n\n", context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            ProgressAborted.TrySetResult();
        }
    }

    private async Task LlmAsync(HttpContext context, byte[] body)
    {
        var request = JsonSerializer.Deserialize<LlmRequest>(body, WireJson.Options)!;
        var model = request.Model ?? "";
        var words = new[] { "Hello", " from", " " + Key };
        if (request.Stream != true)
        {
            // The runner writes the unused member as null; the gateway must drop it.
            var json = $$$"""{"id":"chatcmpl-1","model":"{{{model}}}","created":1735689600,"usage":{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6},"choices":[{"index":0,"finish_reason":"stop","delta":null,"message":{"role":"assistant","content":"{{{string.Concat(words)}}}"}}]}""";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        await context.Response.StartAsync();
        await context.Response.Body.FlushAsync();
        if (Mode == FakeMode.NoFirstToken)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
            return;
        }

        for (var i = 0; i < words.Length; i++)
        {
            var chunk = $$$"""{"id":"chatcmpl-1","model":"{{{model}}}","created":1735689600,"usage":{"prompt_tokens":3,"completion_tokens":{{{i + 1}}},"total_tokens":{{{i + 4}}}},"choices":[{"index":0,"finish_reason":"","delta":{"role":"assistant","content":"{{{words[i]}}}"},"message":null}]}""";
            await context.Response.WriteAsync("data: " + chunk + "\n\n");
            await context.Response.Body.FlushAsync();
            if (ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(ChunkDelay);
            }

            if (Mode == FakeMode.BreakMidStream)
            {
                await Task.Delay(300);
                context.Abort();
                return;
            }
        }

        var final = $$$"""{"id":"chatcmpl-1","model":"{{{model}}}","created":1735689600,"usage":{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6},"choices":[{"index":0,"finish_reason":"stop","delta":{"role":"assistant","content":""},"message":null}]}""";
        await context.Response.WriteAsync("data: " + final + "\n\ndata: [DONE]\n\n", Encoding.UTF8);
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2))) { await app.StopAsync(stop.Token); }
        await app.DisposeAsync();
    }
}

/// <summary>The fake's gRPC face: GetOrchestrator answers as the fake's POST route does.</summary>
public sealed class FakeOrchestratorRpc(FakeOrchestrator fake) : LivepeerAspire.Protocol.Net.Orchestrator.OrchestratorBase
{
    public override Task<OrchestratorInfo> GetOrchestrator(OrchestratorRequest request, Grpc.Core.ServerCallContext context) =>
        Task.FromResult(fake.Answer(request));
}
