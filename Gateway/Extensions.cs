namespace LivepeerAspire.Gateway;

public static class GatewayExtensions
{
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication MapGatewayApi(this WebApplication app)
    {
        return app;
    }
}
