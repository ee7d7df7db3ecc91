using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Api;

/// <summary>OpenAI-compatible routes over the network's LLM orchestrators.</summary>
public static class OpenAiApi
{
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/chat/completions", (HttpContext context, JobRunner runner) => runner.RunChatCompletionAsync(context));
        app.MapGet("/v1/models", async (HttpContext context, NetworkCapabilitiesPoller network) =>
        {
            var snapshot = await network.GetAsync(TimeSpan.FromSeconds(30), context.RequestAborted).ConfigureAwait(false);
            var models = ModelResolver.Served(snapshot, PipelineCatalog.Llm)
                .Select(m => m.ModelId)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .Select(id => new OpenAiModel(id, 0, "livepeer"))
                .ToList();
            return Results.Json(new OpenAiModelList(models), WireJson.Options);
        });
        app.Map("/v1/{**rest}", (HttpContext context, string rest) =>
            ErrorWriter.OpenAi(context, StatusCodes.Status404NotFound, $"unknown route /v1/{rest}; this gateway serves /v1/chat/completions and /v1/models"));
        return app;
    }
}
