using LivepeerAspire.Runner.Ollama.Health;
using LivepeerAspire.Runner.Ollama.Llm;
using LivepeerAspire.Runner.Ollama.Models;
using LivepeerAspire.Runner.Ollama.Ollama;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Runner.Ollama;

public static class OllamaRunnerExtensions
{
    public static WebApplicationBuilder AddOllamaRunnerServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OllamaRunnerOptions>().Bind(builder.Configuration.GetSection(OllamaRunnerOptions.Section)).ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServedModel>();
        builder.Services.AddSingleton<ModelState>();
        builder.Services.AddSingleton(sp => new OllamaClient(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetRequiredService<IOptions<OllamaRunnerOptions>>()));
        builder.Services.AddSingleton<OllamaHealthProbe>();
        builder.Services.AddSingleton<LlmHandler>();
        builder.Services.AddHostedService<ModelWarmer>();
        return builder;
    }

    /// <summary>
    /// Maps the ai-runner routes at the root. The ai-runner's own /health replaces ServiceDefaults' /health
    /// (same path, and go-livepeer reads its JSON body); /alive stays the process-liveness probe.
    /// </summary>
    public static WebApplication MapOllamaRunnerApi(this WebApplication app)
    {
        var served = app.Services.GetRequiredService<ServedModel>();
        app.Logger.LogInformation("Serving {ModelId} as Ollama model {Tag} from {BaseUrl}",
            served.ModelId, served.OllamaTag, app.Services.GetRequiredService<OllamaClient>().BaseUri);
        RunnerApi.Map(app);
        return app;
    }
}
