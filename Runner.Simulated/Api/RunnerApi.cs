using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>Maps every GPU's ai-runner routes under <c>/gpus/{gpuId}</c>, its Ollama API and the admin API.</summary>
public static class RunnerApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var gpu = app.MapGroup("/gpus/{gpuId}");
        Generate(gpu, PipelineCatalog.TextToImage, ImageEndpoints.TextToImageAsync);
        Generate(gpu, PipelineCatalog.ImageToImage, ImageEndpoints.ImageToImageAsync);
        Generate(gpu, PipelineCatalog.ImageToVideo, ImageEndpoints.ImageToVideoAsync);
        Generate(gpu, PipelineCatalog.Upscale, ImageEndpoints.UpscaleAsync);
        Generate(gpu, PipelineCatalog.AudioToText, MediaEndpoints.AudioToTextAsync);
        Generate(gpu, PipelineCatalog.SegmentAnything2, MediaEndpoints.SegmentAnything2Async);
        Generate(gpu, PipelineCatalog.Llm, LlmEndpoint.HandleAsync);
        Generate(gpu, PipelineCatalog.ImageToText, MediaEndpoints.ImageToTextAsync);
        Generate(gpu, PipelineCatalog.TextToSpeech, MediaEndpoints.TextToSpeechAsync);

        Info(gpu, "/health", InfoEndpoints.HealthAsync);
        Info(gpu, "/hardware/info", InfoEndpoints.HardwareInfoAsync);
        Info(gpu, "/hardware/stats", InfoEndpoints.HardwareStatsAsync);
        Info(gpu, "/version", InfoEndpoints.VersionAsync);

        OllamaEndpoints.Map(gpu);
        AdminApi.Map(app);
    }

    /// <summary>A pipeline route; ASP.NET routing also matches its trailing-slash variant, as the runner does.</summary>
    private static void Generate(RouteGroupBuilder gpu, Pipeline pipeline, GpuHandler handler)
    {
        Task Handle(HttpContext ctx, string gpuId) => GpuRoute.RunAsync(ctx, gpuId, pipeline, handler, RunnerResponses.Failure);
        gpu.MapPost(pipeline.Route, Handle);
    }

    private static void Info(RouteGroupBuilder gpu, string route, GpuHandler handler)
    {
        Task Handle(HttpContext ctx, string gpuId) => GpuRoute.RunAsync(ctx, gpuId, null, handler, RunnerResponses.Failure);
        gpu.MapGet(route, Handle);
    }
}
