using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Api;

/// <summary>go-livepeer's gateway routes: the nine batch pipelines (llm as JSON or SSE).</summary>
public static class PipelineApi
{
    public static IEndpointRouteBuilder MapPipelineApi(this IEndpointRouteBuilder app)
    {
        foreach (var pipeline in PipelineCatalog.All)
        {
            app.MapPost(pipeline.Route, (HttpContext context, JobRunner runner, AsyncJobs jobs) =>
                    pipeline == PipelineCatalog.ImageToVideo && AsyncJobsApi.PrefersAsync(context.Request)
                        ? runner.StartPipelineAsyncJob(context, pipeline, jobs)
                        : runner.RunPipelineAsync(context, pipeline))
                .DisableAntiforgery()
                .WithName(pipeline.Name);
        }

        app.MapAsyncJobsApi();
        app.MapPost("/{name}", (HttpContext context, string name) =>
            ErrorWriter.Livepeer(context, StatusCodes.Status404NotFound,
                $"unknown pipeline '{name}'; known: {string.Join(", ", PipelineCatalog.All.Select(p => p.Name))}"));
        return app;
    }
}
