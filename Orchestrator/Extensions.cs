namespace LivepeerAspire.Orchestrator;

public static class OrchestratorExtensions
{
    public static WebApplicationBuilder AddOrchestratorServices(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication MapOrchestratorApi(this WebApplication app)
    {
        return app;
    }
}
