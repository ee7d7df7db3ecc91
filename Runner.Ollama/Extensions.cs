namespace LivepeerAspire.Runner.Ollama;

public static class OllamaRunnerExtensions
{
    public static WebApplicationBuilder AddOllamaRunnerServices(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication MapOllamaRunnerApi(this WebApplication app)
    {
        return app;
    }
}
