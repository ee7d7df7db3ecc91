namespace LivepeerAspire.Runner.Simulated;

public static class SimulatedRunnerExtensions
{
    public static WebApplicationBuilder AddSimulatedRunnerServices(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication MapSimulatedRunnerApi(this WebApplication app)
    {
        return app;
    }
}
